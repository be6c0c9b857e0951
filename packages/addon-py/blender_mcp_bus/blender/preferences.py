"""The addon preferences, and the typed Settings read from them."""
from typing import Optional

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty

from ..core import integrations, paths
from ..core.settings import DEFAULT_URL, Settings, with_env

# The addon's top package: blender_mcp_bus, or bl_ext.<repo>.blender_mcp_bus as an extension.
ADDON_ID = __package__.rpartition(".")[0]


def _reconnect(self, context):
    # The hello announces the gates: reconnect so the server sees the change.
    from . import runtime

    runtime.reconnect_if_connected()


class MCPBUS_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    server_url: StringProperty(name="Server URL", default=DEFAULT_URL,
                               description="WebSocket URL of the MCP bus server's addon endpoint")
    token: StringProperty(name="Token", subtype="PASSWORD", default="",
                          description="The server must prove it knows this token before Blender sends it anything; "
                                      "the token itself is never sent")
    tls_fingerprint: StringProperty(name="Certificate SHA-256", default="",
                                    description="For a self-signed wss:// server: the SHA-256 fingerprint of its "
                                                "certificate (empty: the system's trusted authorities check it)")
    allow_insecure_remote: BoolProperty(name="Allow unencrypted remote server", default=False,
                                        description="Let ws:// reach another machine. Anyone on the network could "
                                                    "then read and alter jobs and results; prefer wss://")
    label: StringProperty(name="Label", default="",
                          description="Name shown to MCP clients; empty uses the .blend file's name")
    auto_connect: BoolProperty(name="Connect on startup", default=True,
                               description="Connect to the server when Blender starts")
    allow_execute_code: BoolProperty(name="Allow execute_code", default=True, update=_reconnect,
                                     description="Let MCP clients run Python with blender_execute_code")
    allow_job_dispatch: BoolProperty(name="Allow job_dispatch", default=True, update=_reconnect,
                                     description="Let MCP clients run Python scripts with job_dispatch")
    allowed_folders: StringProperty(name="Allowed folders", default="", subtype="NONE",
                                    description="Folders MCP clients may read and write files in, separated by ';'. "
                                                "Empty: your home folder and the system temp folder")

    # Asset integrations: each off until turned on; keys never leave Blender except to their provider.
    enable_polyhaven: BoolProperty(name="Poly Haven", default=False, update=_reconnect,
                                   description="Let MCP clients search and download Poly Haven assets (no key)")
    polyhaven_url: StringProperty(name="API URL", default=integrations.DEFAULT_URLS["polyhaven"])
    enable_sketchfab: BoolProperty(name="Sketchfab", default=False, update=_reconnect,
                                   description="Let MCP clients search and download Sketchfab models")
    sketchfab_url: StringProperty(name="API URL", default=integrations.DEFAULT_URLS["sketchfab"])
    sketchfab_token: StringProperty(name="API token", subtype="PASSWORD", default="",
                                    description="From sketchfab.com/settings/password; or BLENDER_MCP_BUS_SKETCHFAB_TOKEN")
    enable_hyper3d: BoolProperty(name="Hyper3D Rodin", default=False, update=_reconnect,
                                 description="Let MCP clients generate models with Hyper3D Rodin (uses credits)")
    hyper3d_backend: EnumProperty(name="Service", default="main_site", items=[
        ("main_site", "hyper3d.ai", "Rodin on Hyper3D's own site, with a Hyper3D key (or its free trial key)"),
        ("fal_ai", "fal.ai", "Rodin through fal.ai's queue, with a fal.ai key"),
    ])
    hyper3d_url: StringProperty(name="API URL", default=integrations.DEFAULT_URLS["hyper3d"])
    hyper3d_key: StringProperty(name="Hyper3D key", subtype="PASSWORD", default="",
                                description="Hyper3D API key; or BLENDER_MCP_BUS_HYPER3D_KEY")
    fal_url: StringProperty(name="fal.ai URL", default=integrations.DEFAULT_URLS["fal"])
    fal_key: StringProperty(name="fal.ai key", subtype="PASSWORD", default="",
                            description="fal.ai API key; or BLENDER_MCP_BUS_FAL_KEY")

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "server_url")
        layout.prop(self, "token")
        layout.prop(self, "tls_fingerprint")
        row = layout.row()
        row.alert = self.allow_insecure_remote
        row.prop(self, "allow_insecure_remote")
        layout.prop(self, "label")
        layout.prop(self, "auto_connect")
        box = layout.box()
        box.label(text="Python from MCP clients runs with your user's full rights:")
        box.prop(self, "allow_execute_code")
        box.prop(self, "allow_job_dispatch")
        box.prop(self, "allowed_folders")
        box = layout.box()
        box.label(text="Asset integrations (reach third-party services; environment variables override):")
        box.prop(self, "enable_polyhaven")
        if self.enable_polyhaven:
            box.prop(self, "polyhaven_url")
        box.prop(self, "enable_sketchfab")
        if self.enable_sketchfab:
            box.prop(self, "sketchfab_token")
            box.prop(self, "sketchfab_url")
        box.prop(self, "enable_hyper3d")
        if self.enable_hyper3d:
            box.prop(self, "hyper3d_backend")
            if self.hyper3d_backend == "fal_ai":
                box.prop(self, "fal_key")
                box.prop(self, "fal_url")
            else:
                box.prop(self, "hyper3d_key")
                box.prop(self, "hyper3d_url")


def get(context=None):
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon is not None else None


# A headless worker's settings (blender/worker.py), which win over the preferences when set.
_override: Optional[Settings] = None


def use_settings(settings: Optional[Settings]) -> None:
    global _override
    _override = settings


def settings(context=None) -> Settings:
    if _override is not None:
        return _override
    prefs = get(context)
    if prefs is None:
        return Settings()
    return with_env(Settings(
        server_url=prefs.server_url.strip() or DEFAULT_URL,
        token=prefs.token,
        tls_fingerprint=prefs.tls_fingerprint.strip(),
        allow_insecure_remote=prefs.allow_insecure_remote,
        label=prefs.label,
        auto_connect=prefs.auto_connect,
        allow_execute_code=prefs.allow_execute_code,
        allow_job_dispatch=prefs.allow_job_dispatch,
        enable_polyhaven=prefs.enable_polyhaven,
        enable_sketchfab=prefs.enable_sketchfab,
        enable_hyper3d=prefs.enable_hyper3d,
        allowed_folders=paths.parse_folders(prefs.allowed_folders),
    ))


def integration(name: str, context=None) -> integrations.IntegrationConfig:
    """One integration's effective config (main thread; hand the value to workers)."""
    prefs = get(context)
    if prefs is None:
        return integrations.resolve(name, False)
    enabled = bool(getattr(prefs, "enable_" + name))
    if name == "polyhaven":
        return integrations.resolve(name, enabled, prefs.polyhaven_url)
    if name == "sketchfab":
        return integrations.resolve(name, enabled, prefs.sketchfab_url, prefs.sketchfab_token)
    config = integrations.resolve(name, enabled, backend=prefs.hyper3d_backend)
    if config.backend == "fal_ai":
        return integrations.resolve(name, enabled, prefs.fal_url, prefs.fal_key, config.backend)
    return integrations.resolve(name, enabled, prefs.hyper3d_url, prefs.hyper3d_key, config.backend)


classes = (MCPBUS_AddonPreferences,)
