"""Plain-data helpers shared by the command handlers: pagination and making
values JSON-safe. No bpy, so they are tested without Blender."""
import math
from typing import Any, List, Optional, Sequence, Tuple


def page(items: Sequence[Any], offset: int, limit: int) -> Tuple[List[Any], dict]:
    """One page and its offset / total / next_offset fields."""
    total = len(items)
    chunk = list(items[offset:offset + limit])
    end = offset + len(chunk)
    return chunk, {"offset": offset, "total": total, "next_offset": end if end < total else None}


def number(value: float, digits: int = 6) -> Optional[float]:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return round(float(value), digits)


def vector(values) -> List[float]:
    return [number(v) or 0.0 for v in values]


def jsonable(value: Any, depth: int = 0) -> Any:
    """Plain JSON values only: NaN/inf become None, sets and tuples lists, the rest str."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return number(value)
    if depth > 4:
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v, depth + 1) for v in items]
    return str(value)


def name_filter(names, needle: Optional[str]):
    """Names containing needle, ignoring case; all of them without one."""
    if not needle:
        return list(names)
    folded = needle.casefold()
    return [n for n in names if folded in n.casefold()]
