"""Word search and close-match suggestions over the names of a Blender API
(types, properties, functions, operators). The entries come from the running
Blender (blender/commands/api.py); this part has no bpy, so it is tested
without Blender."""
import difflib
import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

KINDS = ("type", "property", "function", "operator")

DESCRIPTION_LIMIT = 160


class Entry(NamedTuple):
    id: str
    kind: str
    description: str
    # Added to the score: common data-block types up, UI classes down.
    boost: int = 0


def one_line(text: Optional[str], limit: int = DESCRIPTION_LIMIT) -> str:
    """The first sentence-ish line of a description or docstring, cut at limit."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[:limit - 3].rstrip() + "..."


def doc_summary(doc: Optional[str]) -> Tuple[str, str]:
    """(signature, first descriptive line) of a Blender-style docstring:
    '.. function:: name(args)' or 'module.name(args)' then prose, then ':arg ...' fields."""
    signature = ""
    summary = ""
    for raw in (doc or "").splitlines():
        line = raw.strip()
        if not line:
            if summary:
                break
            continue
        directive = re.match(r"\.\.\s+\w+::\s*(.*)", line)
        if directive:
            if not signature:
                signature = directive.group(1)
            continue
        if line.startswith(":"):
            if summary:
                break
            continue
        if not signature and not summary and re.match(r"^[\w.]+\(.*\)$", line):
            signature = line
            continue
        summary = (summary + " " + line).strip()
    return signature, one_line(summary)


def _words(text: str) -> List[str]:
    return [w for w in re.split(r"[\s,;]+", text.lower()) if w]


class _Folded(NamedTuple):
    id: str
    name: str
    segments: Tuple[str, ...]
    description: str
    description_words: frozenset


class ApiIndex:
    """The entries of one Blender process, searchable by words."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries: List[Entry] = []
        self.by_id: Dict[str, Entry] = {}
        for entry in entries:
            if entry.id not in self.by_id:
                self.by_id[entry.id] = entry
                self.entries.append(entry)
        self._folded = [self._fold(e) for e in self.entries]
        self._by_lower = {e.id.lower(): e.id for e in self.entries}
        self._children: Optional[Dict[str, List[str]]] = None
        self._last: Dict[Tuple[str, Optional[str]], List[Entry]] = {}

    @staticmethod
    def _fold(entry: Entry) -> _Folded:
        lowered = entry.id.lower()
        segments = tuple(lowered.split("."))
        description = entry.description.lower()
        return _Folded(lowered, segments[-1], segments, description, frozenset(re.findall(r"\w+", description)))

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Optional[Entry]:
        return self.by_id.get(entry_id)

    @staticmethod
    def _word_score(word: str, folded: _Folded) -> int:
        if "." in word:
            if folded.id.endswith(word) and (len(folded.id) == len(word) or folded.id[-len(word) - 1] == "."):
                return 120
            return 50 if word in folded.id else 0
        if folded.name == word:
            return 100
        if folded.name.startswith(word):
            return 60
        if word in folded.segments:
            return 45
        if word in folded.name:
            return 30
        if word in folded.id:
            return 20
        if word in folded.description_words:
            return 10
        if word in folded.description:
            return 5
        return 0

    def search(self, query: str, kind: Optional[str] = None) -> List[Entry]:
        """Entries matching every word of the query, best first: an exact name,
        then a name prefix, a segment of the id, a part of it, the description."""
        key = (query.strip().lower(), kind)
        cached = self._last.get(key)
        if cached is not None:
            return cached
        words = _words(query)
        if not words:
            return []
        scored = []
        for entry, folded in zip(self.entries, self._folded):
            if kind is not None and entry.kind != kind:
                continue
            total = 0
            for word in words:
                score = self._word_score(word, folded)
                if score == 0:
                    break
                total += score
            else:
                scored.append((-(total + entry.boost), len(entry.id), entry.id, entry))
        scored.sort()
        ranked = [item[3] for item in scored]
        if len(self._last) >= 8:
            self._last.pop(next(iter(self._last)))
        self._last[key] = ranked
        return ranked

    def _children_of(self) -> Dict[str, List[str]]:
        if self._children is None:
            children: Dict[str, List[str]] = {}
            for entry in self.entries:
                parent = entry.id.rsplit(".", 1)[0].lower()
                children.setdefault(parent, []).append(entry.id)
            self._children = children
        return self._children

    def children(self, parent_id: str) -> List[str]:
        """Ids one level below parent_id (a type's members), in index order."""
        return list(self._children_of().get(parent_id.lower(), []))

    def suggest(self, wanted: str, n: int = 5) -> List[str]:
        """Ids close to one that does not exist: the same id in other case, a
        close sibling under the same parent, or the same name under a close parent."""
        lowered = wanted.strip().lower()
        found: List[str] = []

        def add(ids):
            for i in ids:
                if i not in found and i != wanted:
                    found.append(i)

        if lowered in self._by_lower:
            add([self._by_lower[lowered]])
        children = self._children_of()
        parent, _, name = lowered.rpartition(".")
        siblings = children.get(parent, [])
        if siblings:
            names = {s.rsplit(".", 1)[-1].lower(): s for s in siblings}
            add(names[m] for m in difflib.get_close_matches(name, list(names), n=n, cutoff=0.6))
        if len(found) < n:
            same_name = [e.id for e, f in zip(self.entries, self._folded) if f.name == name]
            add(difflib.get_close_matches(lowered, same_name, n=n, cutoff=0.5))
        if len(found) < n and not siblings:
            parents = {p: p for p in children if p.count(".") == parent.count(".")}
            close_parents = difflib.get_close_matches(parent, list(parents), n=3, cutoff=0.7)
            for close in close_parents:
                names = {s.rsplit(".", 1)[-1].lower(): s for s in children[close]}
                add(names[m] for m in difflib.get_close_matches(name, list(names), n=2, cutoff=0.6))
                if close in self._by_lower:
                    add([self._by_lower[close]])
        return found[:n]
