"""Where each asset integration reaches its provider, and with which key.

Read on the main thread from the preferences and the environment, then
handed to worker threads whole. Environment variables win over preferences
so a launcher or CI can point Blender at a local API without touching the
profile. The key is left out of repr() so a logged config never shows it."""
import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

PROVIDERS = ("polyhaven", "sketchfab", "hyper3d", "fal")

DEFAULT_URLS = {
    "polyhaven": "https://api.polyhaven.com",
    "sketchfab": "https://api.sketchfab.com",
    "hyper3d": "https://hyperhuman.deemos.com",
    "fal": "https://queue.fal.run",
}

ENV_URL = {p: "BLENDER_MCP_BUS_%s_URL" % p.upper() for p in PROVIDERS}
ENV_KEY = {
    "sketchfab": "BLENDER_MCP_BUS_SKETCHFAB_TOKEN",
    "hyper3d": "BLENDER_MCP_BUS_HYPER3D_KEY",
    "fal": "BLENDER_MCP_BUS_FAL_KEY",
}
ENV_HYPER3D_BACKEND = "BLENDER_MCP_BUS_HYPER3D_BACKEND"
BACKENDS = ("main_site", "fal_ai")


@dataclass(frozen=True)
class IntegrationConfig:
    name: str
    enabled: bool
    base_url: str
    key: str = field(default="", repr=False)
    # hyper3d only: which service, since the two speak different APIs.
    backend: str = ""

    @property
    def key_set(self) -> bool:
        return bool(self.key)


def resolve(name: str, enabled: bool, url: str = "", key: str = "", backend: str = "",
            environ: Optional[Mapping[str, str]] = None) -> IntegrationConfig:
    """The effective config of one integration. For hyper3d the URL and key
    are those of the chosen backend (fal_ai reads the fal settings)."""
    env = os.environ if environ is None else environ
    provider = name
    if name == "hyper3d":
        backend = (env.get(ENV_HYPER3D_BACKEND, "").strip() or backend or "main_site").lower()
        if backend not in BACKENDS:
            backend = "main_site"
        if backend == "fal_ai":
            provider = "fal"
    base_url = (env.get(ENV_URL[provider], "").strip() or url.strip() or DEFAULT_URLS[provider]).rstrip("/")
    secret = env.get(ENV_KEY[provider], "").strip() if provider in ENV_KEY else ""
    return IntegrationConfig(name, enabled, base_url, secret or key.strip(), backend if name == "hyper3d" else "")


ONLINE_ACCESS_OFF = ("Blender's online access is off, so %s cannot be reached. Ask the user to tick Allow Online "
                     "Access in Edit > Preferences > System > Network (or to start Blender with --online-mode); "
                     "MCP clients cannot switch it on.")


def is_local(url: str) -> bool:
    """A loopback URL (a local mirror, a test API) is not "online" in Blender's sense."""
    import ipaddress
    from urllib.parse import urlparse

    host = (urlparse(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def online_access_refusal(config: IntegrationConfig, online_access: bool) -> Optional[str]:
    """Why the integration may not go online (Blender 4.2+'s Allow Online Access), or None."""
    if online_access or is_local(config.base_url):
        return None
    return ONLINE_ACCESS_OFF % config.base_url
