"""Reads JSON lines {kind, name, value} and answers each with the value after
a trip through the generated dataclass: {"ok": true, "value": ...} or
{"ok": false, "error": ...}. Run with `python3 -S`: standard library only."""
import json
import sys

sys.path.insert(0, sys.argv[1])
from blender_mcp_bus.generated import catalog  # noqa: E402


def dataclass_for(kind, name):
    if kind == "message":
        return catalog.MESSAGES[name]
    return getattr(catalog.COMMANDS[name], kind)


for line in sys.stdin:
    request = json.loads(line)
    try:
        cls = dataclass_for(request["kind"], request["name"])
        answer = {"ok": True, "value": cls.from_dict(request["value"]).to_dict()}
    except Exception as error:  # any refusal is an answer, not a crash
        answer = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
