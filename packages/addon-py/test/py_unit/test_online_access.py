"""Blender 4.2+'s online access rule for the asset integrations (the bpy-free half)."""
import unittest

from blender_mcp_bus.core import integrations


class OnlineAccessTest(unittest.TestCase):
    def config(self, url):
        return integrations.resolve("polyhaven", True, url, environ={})

    def test_a_service_on_the_internet_needs_online_access(self):
        refusal = integrations.online_access_refusal(self.config("https://api.polyhaven.com"), online_access=False)
        self.assertIn("https://api.polyhaven.com", refusal)
        self.assertIn("Allow Online Access in Edit > Preferences > System > Network", refusal)
        self.assertIn("--online-mode", refusal)

    def test_allowed_online_access_lets_it_through(self):
        self.assertIsNone(integrations.online_access_refusal(self.config("https://api.polyhaven.com"), online_access=True))

    def test_loopback_is_not_online(self):
        for url in ("http://127.0.0.1:8080/polyhaven", "http://localhost:1/x", "http://[::1]:9/x", "http://127.3.4.5/"):
            self.assertIsNone(integrations.online_access_refusal(self.config(url), online_access=False), url)

    def test_a_name_that_only_starts_like_loopback_is_online(self):
        self.assertTrue(integrations.online_access_refusal(self.config("https://localhost.example.com"), False))
        self.assertTrue(integrations.online_access_refusal(self.config("https://127.0.0.1.nip.io"), False))


if __name__ == "__main__":
    unittest.main()
