import unittest

from blender_mcp_bus.core import outgoing
from blender_mcp_bus.generated.protocol_types import ValidationError
from blender_mcp_bus.generated.wire import HELLO_MAX_LENGTHS


class OutgoingTest(unittest.TestCase):
    def test_a_message_the_protocol_forbids_is_refused_before_it_is_sent(self):
        # ValueError: an unknown enum value (ValidationError is one too).
        with self.assertRaises(ValueError):
            outgoing.job_update("j-1", "queued")  # the addon never reports queued
        with self.assertRaises(ValueError):
            outgoing.protocol_error("no_such_code", "x", None)
        with self.assertRaises(ValidationError):
            outgoing.job_update("j-1", "running", progress={"total": 3})

    def test_hello_texts_are_cut_to_the_protocol_caps(self):
        hello = outgoing.hello("u", "l" * 999, "4.3", "f" * 9999, "0.1", 2, ["a"], [])
        self.assertEqual(len(hello["label"]), HELLO_MAX_LENGTHS["label"])
        self.assertEqual(len(hello["blend_file"]), HELLO_MAX_LENGTHS["blend_file"])
        self.assertEqual(hello["message_type"], "hello")

    def test_job_update_keeps_the_result_as_given(self):
        update = outgoing.job_update("j-1", "completed", result={"n": 1, "xs": [1, 2]})
        self.assertEqual(update["result"], {"n": 1, "xs": [1, 2]})
        self.assertNotIn("progress", update)


if __name__ == "__main__":
    unittest.main()
