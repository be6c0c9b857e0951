import ast
import inspect
import json
import os
import unittest

from blender_mcp_bus.core.jobs import SCRIPT, Job
from blender_mcp_bus.core.registry import JobFailed, Registry
from blender_mcp_bus.generated.catalog import COMMANDS, GATES
from py_unit.fake_handlers import make_registry

ADDON = os.path.join(os.path.dirname(__file__), "..", "..", "blender_mcp_bus")
SCHEMAS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "protocol", "schemas", "commands")


def real_handlers():
    """name -> ast.FunctionDef of every @command(...) handler in blender/commands,
    read from source because those modules import bpy."""
    found = {}
    folder = os.path.join(ADDON, "blender", "commands")
    for filename in sorted(os.listdir(folder)):
        if not filename.endswith(".py"):
            continue
        with open(os.path.join(folder, filename), encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Call) and getattr(deco.func, "id", getattr(deco.func, "attr", "")) == "command":
                        name = deco.args[0].value
                        if name in found:
                            raise AssertionError("%s registered twice" % name)
                        found[name] = node
    return found


def ast_defaults(fn):
    args = fn.args.args
    defaults = [ast.literal_eval(d) for d in fn.args.defaults]
    return {a.arg: d for a, d in zip(args[len(args) - len(defaults):], defaults)}, [a.arg for a in args]


class CatalogDriftTest(unittest.TestCase):
    def test_addon_offers_exactly_the_catalog_commands(self):
        handlers = real_handlers()
        missing = sorted(set(COMMANDS) - set(handlers))
        extra = sorted(set(handlers) - set(COMMANDS))
        self.assertEqual(missing, [], "catalog commands without an addon handler")
        self.assertEqual(extra, [], "addon handlers the catalog does not name")

    def test_handler_arguments_and_defaults_match_the_json_schemas(self):
        # Handler defaults fill params the dispatcher left out, so they must be the protocol's.
        for name, fn in real_handlers().items():
            with open(os.path.join(SCHEMAS, name + ".params.json"), encoding="utf-8") as f:
                schema = json.load(f)
            defaults, args = ast_defaults(fn)
            self.assertEqual(sorted(args), sorted(schema["properties"]), name)
            for prop, spec in schema["properties"].items():
                if "default" in spec:
                    self.assertEqual(defaults.get(prop), spec["default"], "%s.%s default" % (name, prop))
                elif prop not in schema.get("required", []):
                    self.assertIn(prop, defaults, "%s.%s is optional: the handler needs a default" % (name, prop))
                    self.assertIsNone(defaults[prop])
                else:
                    self.assertNotIn(prop, defaults, "%s.%s is required" % (name, prop))

    def test_decorating_an_unknown_command_fails(self):
        with self.assertRaises(KeyError):
            Registry().command("not_in_catalog")

    def test_drift_reports_both_directions(self):
        fake_catalog = {"a": COMMANDS["get_scene_info"], "b": COMMANDS["execute_code"]}
        registry = Registry(fake_catalog)
        registry.command("a")(lambda offset=0, limit=100: {})
        registry._handlers["zzz"] = lambda: {}
        self.assertEqual(registry.drift(), (["b"], ["zzz"]))


class ExecuteTest(unittest.TestCase):
    def setUp(self):
        self.registry, self.calls = make_registry()

    def test_defaults_fill_missing_params_and_result_is_checked(self):
        result = self.registry.execute(Job("j", "get_scene_info", params={"offset": 5}), [])
        self.assertEqual(self.calls, [("get_scene_info", 5, 100)])
        self.assertEqual(result["offset"], 5)

    def test_unknown_command_fails_clearly(self):
        with self.assertRaises(JobFailed) as caught:
            self.registry.execute(Job("j", "make_coffee"), [])
        self.assertIn("unknown command 'make_coffee'", str(caught.exception))
        self.assertIn("get_scene_info", str(caught.exception))

    def test_gated_command_says_how_to_enable_it(self):
        with self.assertRaises(JobFailed) as caught:
            self.registry.execute(Job("j", "execute_code", params={"code": "print(1)"}), ["execute_code"])
        self.assertEqual(
            str(caught.exception),
            "execute_code is switched off in this Blender: enable 'Allow execute_code' in Preferences > Add-ons > MCP Bus",
        )
        self.assertEqual(self.calls, [])

    def test_gated_script_dispatch(self):
        with self.assertRaises(JobFailed) as caught:
            self.registry.execute(Job("j", SCRIPT, script="print(1)"), ["job_dispatch"])
        self.assertIn("job_dispatch is switched off", str(caught.exception))
        self.assertIn("Allow job_dispatch", str(caught.exception))
        self.assertEqual(self.registry.execute(Job("j", SCRIPT, script="x"), ["execute_code"])["stdout"], "x")

    def test_invalid_params_fail_before_the_handler_runs(self):
        for params in ({"offset": "zero"}, {"limit": 1.5}, {"offset": 0, "bogus": 1}):
            with self.assertRaises(JobFailed) as caught:
                self.registry.execute(Job("j", "get_scene_info", params=params), [])
            self.assertIn("invalid params for get_scene_info", str(caught.exception))
        with self.assertRaises(JobFailed):
            self.registry.execute(Job("j", "execute_code", params={}), [])
        self.assertEqual(self.calls, [])

    def test_off_contract_result_fails_naming_the_command(self):
        with self.assertRaises(JobFailed) as caught:
            self.registry.execute(Job("j", "get_object_info", params={"name": "Cube"}), [])
        self.assertIn("get_object_info returned a result off its contract", str(caught.exception))

    def test_gates_in_the_catalog_are_the_known_ones(self):
        self.assertEqual(set(GATES), {"execute_code", "job_dispatch", "polyhaven", "sketchfab", "hyper3d"})
        self.assertTrue(all(spec.gate in (None,) + GATES for spec in COMMANDS.values()))

    def test_names_follow_catalog_order(self):
        self.assertEqual(self.registry.names, [n for n in COMMANDS if n in self.registry.names])
        self.assertNotIn("get_viewport_screenshot", self.registry.names)


if __name__ == "__main__":
    unittest.main()
