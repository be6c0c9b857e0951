"""search_api and get_api: answers from the running Blender's own RNA and
docstrings, so they are right for exactly this version.

The index of names is built on the first search (well under a second on
3.4 to 5.2) and rebuilt only when registered types change (an addon enabled)."""
import importlib
import inspect
import logging
import re
import time
import types

import bpy

from ...core.api_index import ApiIndex, Entry, doc_summary, one_line
from ...core.registry import JobFailed, command
from ...core.values import jsonable, page
from .. import compat

log = logging.getLogger("blender_mcp_bus")

PYTHON_MODULES = (
    "mathutils", "mathutils.geometry", "mathutils.noise", "mathutils.bvhtree", "mathutils.kdtree",
    "mathutils.interpolate", "bmesh", "bmesh.ops", "bmesh.types", "bmesh.utils", "bmesh.geometry",
    "bpy.utils", "bpy.path",
)
DOC_LIMIT = 4000
UI_CLASS = re.compile(r"_(PT|MT|HT|UL|OT|GT|GGT|WT|AST)_")
# Numeric limits this large mean "no limit" in RNA.
UNBOUNDED = 1e30


class _Cache:
    key = None
    index = None
    seconds = 0.0


def _types_key():
    return len(dir(bpy.types))


def _boost(cls, name: str) -> int:
    if UI_CLASS.search(name):
        return -40
    try:
        return 10 if issubclass(cls, bpy.types.ID) else 0
    except TypeError:
        return 0


def _property_line(prop) -> str:
    kind = prop.type
    length = getattr(prop, "array_length", 0)
    if length:
        kind += "[%d]" % length
    if prop.type in ("POINTER", "COLLECTION") and prop.fixed_type is not None:
        kind += " " + prop.fixed_type.identifier
    subtype = getattr(prop, "subtype", "NONE")
    if subtype not in ("NONE", "", None):
        kind += " " + subtype.lower()
    return one_line("%s: %s" % (kind, prop.description or prop.name))


def _python_member_kind(raw):
    if isinstance(raw, (classmethod, staticmethod)) or inspect.isroutine(raw):
        return "function"
    if isinstance(raw, property) or inspect.isdatadescriptor(raw) or inspect.isgetsetdescriptor(raw):
        return "property"
    return None


def _python_members(owner_id, owner, rna=None):
    """Python-level members of a class (bpy_types helpers such as Mesh.from_pydata, bmesh and mathutils methods)."""
    for attr, raw in vars(owner).items():
        if attr.startswith("_") or attr.startswith("bl_"):
            continue
        if rna is not None and (attr in rna.properties or attr in rna.functions):
            continue
        kind = _python_member_kind(raw)
        if kind is not None:
            yield Entry("%s.%s" % (owner_id, attr), kind, doc_summary(getattr(raw, "__doc__", None))[1])


def _rna_entries():
    for name in dir(bpy.types):
        cls = getattr(bpy.types, name, None)
        rna = getattr(cls, "bl_rna", None)
        if rna is None:
            continue
        type_id = "bpy.types." + name
        boost = _boost(cls, name)
        yield Entry(type_id, "type", one_line(rna.description or rna.name), boost)
        base = rna.base
        inherited = set(base.properties.keys()) | set(base.functions.keys()) if base is not None else set()
        for prop in rna.properties:
            if prop.identifier != "rna_type" and prop.identifier not in inherited:
                yield Entry("%s.%s" % (type_id, prop.identifier), "property", _property_line(prop), boost)
        for func in rna.functions:
            if func.identifier not in inherited:
                yield Entry("%s.%s" % (type_id, func.identifier), "function", one_line(func.description), boost)
        if boost >= 0 and isinstance(cls, type):
            for entry in _python_members(type_id, cls, rna):
                yield entry._replace(boost=boost)


def _operators():
    for module_name in dir(bpy.ops):
        module = getattr(bpy.ops, module_name)
        for op_name in dir(module):
            if op_name.startswith("_"):
                continue
            yield "bpy.ops.%s.%s" % (module_name, op_name), getattr(module, op_name)


def _operator_entries():
    for op_id, op in _operators():
        try:
            rna = op.get_rna_type()
        except (KeyError, AttributeError, RuntimeError):
            continue
        yield Entry(op_id, "operator", one_line(rna.description or rna.name), 5)


def _python_module(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _python_entries():
    for module_name in PYTHON_MODULES:
        module = _python_module(module_name)
        if module is None:
            continue
        for attr in dir(module):
            if attr.startswith("_"):
                continue
            value = getattr(module, attr)
            if isinstance(value, types.ModuleType):
                continue
            entry_id = "%s.%s" % (module_name, attr)
            if inspect.isclass(value):
                yield Entry(entry_id, "type", doc_summary(value.__doc__)[1])
                for entry in _python_members(entry_id, value):
                    yield entry
            elif callable(value):
                yield Entry(entry_id, "function", doc_summary(getattr(value, "__doc__", None))[1])


def api_index() -> ApiIndex:
    key = _types_key()
    if _Cache.index is None or _Cache.key != key:
        started = time.perf_counter()

        def entries():
            yield from _rna_entries()
            yield from _operator_entries()
            yield from _python_entries()

        _Cache.index = ApiIndex(entries())
        _Cache.key = key
        _Cache.seconds = time.perf_counter() - started
        log.info("API index of Blender %s: %d entries in %.2f s", compat.version_string(), len(_Cache.index), _Cache.seconds)
    return _Cache.index


@command("search_api")
def search_api(query, kind=None, offset=0, limit=20):
    hits = api_index().search(query, kind)
    chunk, paging = page(hits, offset, limit)
    result = {"blender_version": compat.version_string(),
              "hits": [{"id": e.id, "kind": e.kind, "description": e.description} for e in chunk]}
    result.update(paging)
    return result


# --- get_api ---------------------------------------------------------------


def _live_owners():
    """Instances in the open file, for enums whose items depend on it (render engines)."""
    context = bpy.context
    roots = [context.scene, getattr(context, "view_layer", None), getattr(context, "object", None),
             getattr(context.scene, "world", None), context.preferences]
    for root in roots:
        if root is None:
            continue
        yield root
        for prop in root.bl_rna.properties:
            if prop.type == "POINTER" and prop.identifier != "rna_type":
                child = getattr(root, prop.identifier, None)
                if isinstance(child, bpy.types.bpy_struct):
                    yield child


def _live_enum_identifiers(struct_id, prop):
    """Identifiers the enum accepts on a live instance: Blender lists them
    when refusing an unknown one (nothing is set)."""
    if prop.is_enum_flag or prop.is_readonly:
        return None
    for owner in _live_owners():
        if owner.bl_rna.identifier != struct_id:
            continue
        try:
            setattr(owner, prop.identifier, "__mcp_no_such_item__")
        except TypeError as error:
            listed = re.search(r"not found in \((.*)\)", str(error))
            return re.findall(r"'([^']*)'", listed.group(1)) if listed else None
        except Exception:  # noqa: BLE001 - a property that refuses any write
            return None
        return None
    return None


def _enum_items(prop, struct_id):
    items = [{"identifier": i.identifier, "name": i.name} for i in prop.enum_items]
    live = _live_enum_identifiers(struct_id, prop) if struct_id else None
    if live:
        names = {i["identifier"]: i["name"] for i in items}
        items = [{"identifier": i, "name": names.get(i, i)} for i in live]
    return items


def property_info(prop, struct_id=None) -> dict:
    length = getattr(prop, "array_length", 0) if prop.type in ("BOOLEAN", "INT", "FLOAT") else 0
    info = {"name": prop.identifier, "type": prop.type, "description": prop.description or prop.name,
            "array_length": length, "readonly": bool(prop.is_readonly)}
    if prop.type in ("BOOLEAN", "INT", "FLOAT"):
        info["default"] = jsonable(list(prop.default_array) if length else prop.default)
    elif prop.type == "STRING":
        info["default"] = prop.default
    elif prop.type == "ENUM":
        info["enum_items"] = _enum_items(prop, struct_id)
        if prop.is_enum_flag:
            info["enum_flag"] = True
            info["default"] = sorted(prop.default_flag)
        else:
            info["default"] = prop.default
    if prop.type in ("INT", "FLOAT"):
        for field, value in (("min", prop.hard_min), ("max", prop.hard_max)):
            if abs(value) < UNBOUNDED and abs(value) < 2 ** 31 - 1:
                info[field] = jsonable(value)
    if prop.type in ("POINTER", "COLLECTION") and prop.fixed_type is not None:
        info["fixed_type"] = "bpy.types." + prop.fixed_type.identifier
    for field in ("subtype", "unit"):
        value = getattr(prop, field, "NONE")
        if value and value != "NONE":
            info[field] = value
    if getattr(prop, "is_required", False):
        info["required"] = True
    return info


def _docstring(value) -> str:
    """A callable's signature where Python knows it, then its docstring."""
    doc = inspect.getdoc(value) or ""
    signature = ""
    if callable(value):
        try:
            signature = "%s%s" % (getattr(value, "__name__", ""), inspect.signature(value))
        except (TypeError, ValueError):
            signature = ""
    text = "\n".join(part for part in (signature, doc) if part)
    return text if len(text) <= DOC_LIMIT else text[:DOC_LIMIT] + "\n[... cut at %d characters ...]" % DOC_LIMIT


def _resolve_python(entry_id):
    """The object behind a mathutils/bmesh/bpy.utils id, or a Python member of a bpy.types class."""
    parts = entry_id.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:cut])
        if head == "bpy.types":
            value = bpy.types
        elif head in PYTHON_MODULES:
            value = _python_module(head)
        else:
            continue
        for attr in parts[cut:]:
            value = getattr(value, attr)
        return value
    raise AttributeError(entry_id)


def _members(result, index, entry_id, offset, limit):
    members = [e for e in (index.get(i) for i in index.children(entry_id)) if e is not None]
    chunk, paging = page(members, offset, limit)
    result["members"] = [{"id": e.id, "kind": e.kind, "description": e.description} for e in chunk]
    result.update(paging)


def _describe(result, index, entry, offset, limit):
    parts = entry.id.split(".")
    if entry.id.startswith("bpy.ops."):
        op = getattr(getattr(bpy.ops, parts[2]), parts[3])
        rna = op.get_rna_type()
        result["description"] = rna.description or rna.name
        result["doc"] = (op.__doc__ or "").split("\n", 1)[0]
        result["parameters"] = [property_info(p) for p in rna.properties if p.identifier != "rna_type"]
        return
    rna = None
    if entry.id.startswith("bpy.types."):
        rna = getattr(getattr(bpy.types, parts[2], None), "bl_rna", None)
    if rna is not None and len(parts) == 3:
        result["description"] = rna.description or rna.name
        result["base"] = "bpy.types." + rna.base.identifier if rna.base is not None else None
        _members(result, index, entry.id, offset, limit)
        return
    if rna is not None and parts[3] in rna.properties:
        prop = rna.properties[parts[3]]
        result["description"] = prop.description or prop.name
        result["property"] = property_info(prop, rna.identifier)
        return
    if rna is not None and parts[3] in rna.functions:
        func = rna.functions[parts[3]]
        result["description"] = func.description
        result["parameters"] = [property_info(p) for p in func.parameters if not p.is_output]
        result["returns"] = [property_info(p) for p in func.parameters if p.is_output]
        return
    value = _resolve_python(entry.id)
    result["doc"] = _docstring(value)
    if entry.kind == "type":
        _members(result, index, entry.id, offset, limit)


@command("get_api")
def get_api(id, offset=0, limit=100):  # noqa: A002 - the protocol's field name
    index = api_index()
    entry = index.get(id)
    if entry is None:
        close = index.suggest(id)
        hint = " Close: %s." % ", ".join(close) if close else " Find ids with blender_search_api."
        raise JobFailed("no API entry %r in Blender %s.%s" % (id, compat.version_string(), hint))
    result = {"blender_version": compat.version_string(), "id": entry.id, "kind": entry.kind,
              "description": entry.description, "doc": "", "property": None, "parameters": [], "returns": [],
              "base": None, "members": [], "offset": offset, "total": 0, "next_offset": None}
    _describe(result, index, entry, offset, limit)
    return result
