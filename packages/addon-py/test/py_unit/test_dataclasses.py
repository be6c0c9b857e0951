"""The generated dataclasses accept what the wire carries and give it back unchanged."""
import unittest

from blender_mcp_bus.generated import protocol_types as pt
from blender_mcp_bus.generated.catalog import COMMANDS, MESSAGES, PACKAGE_VERSION, PROTOCOL_VERSION
from py_unit.fake_handlers import EXAMPLES

SAMPLES = {
    "auth_begin": {"message_type": "auth_begin", "protocol_version": PROTOCOL_VERSION, "key_id": "697f4a595b766c12",
                   "client_nonce": "A" * 43},
    "auth_challenge": {"message_type": "auth_challenge", "protocol_version": PROTOCOL_VERSION, "server_nonce": "B" * 43,
                       "server_proof": "C" * 43},
    "auth_proof": {"message_type": "auth_proof", "client_proof": "D" * 43},
    "hello": {"message_type": "hello", "client_uuid": "blender-abc", "label": "x.blend", "client_type": "blender",
              "blender_version": "3.4.1", "blend_file": "", "addon_version": PACKAGE_VERSION,
              "protocol_version": PROTOCOL_VERSION, "commands": list(COMMANDS), "gated": ["execute_code"]},
    "welcome": {"message_type": "welcome", "server_version": "0.1.0", "protocol_version": 1,
                "client_uuid": "blender-abc", "heartbeat_seconds": 15},
    "refused": {"message_type": "refused", "code": "unauthorized", "reason": "bad token", "protocol_version": 1},
    "command_dispatch": {"message_type": "command_dispatch", "job_id": "j-1", "command": "get_object_info",
                         "params": {"name": "Cube"}, "priority": "info"},
    "job_dispatch": {"message_type": "job_dispatch", "job_id": "j-2", "script": "print(1)", "priority": "debug"},
    "job_update": {"message_type": "job_update", "job_id": "j-1", "status": "running", "result": None, "error": "",
                   "progress": {"progress": 1, "total": 3, "message": "step"}},
    "cancel": {"message_type": "cancel", "job_id": "j-1", "reason": "timeout"},
    "ping": {"message_type": "ping", "nonce": "n"},
    "pong": {"message_type": "pong", "nonce": "n"},
    "protocol_error": {"message_type": "protocol_error", "code": "invalid_json", "message": "x", "job_id": None},
}


class RoundTripTest(unittest.TestCase):
    def test_every_message_type_round_trips(self):
        self.assertEqual(set(SAMPLES), set(MESSAGES))
        for name, sample in SAMPLES.items():
            self.assertEqual(MESSAGES[name].from_dict(sample).to_dict(), sample, name)

    def test_results_round_trip(self):
        for name, sample in EXAMPLES.items():
            self.assertEqual(COMMANDS[name].result.from_dict(sample).to_dict(), sample, name)

    def test_bad_input_raises_validation_error_or_value_error(self):
        with self.assertRaises(ValueError):
            MESSAGES["ping"].from_dict({"message_type": "ping", "nonce": 5})
        with self.assertRaises(pt.ValidationError):
            COMMANDS["execute_code"].result.from_dict({"stdout": "", "stderr": "", "truncated": "no"})
        with self.assertRaises(ValueError):  # enums raise plain ValueError
            MESSAGES["cancel"].from_dict({"message_type": "kansel", "job_id": "j", "reason": ""})


if __name__ == "__main__":
    unittest.main()
