"""The addon preferences, and the typed Settings read from them."""
import bpy
from bpy.props import BoolProperty, StringProperty

from ..core.settings import DEFAULT_URL, Settings

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
                          description="Sent as a bearer token when the server asks for one")
    label: StringProperty(name="Label", default="",
                          description="Name shown to MCP clients; empty uses the .blend file's name")
    auto_connect: BoolProperty(name="Connect on startup", default=True,
                               description="Connect to the server when Blender starts")
    allow_execute_code: BoolProperty(name="Allow execute_code", default=True, update=_reconnect,
                                     description="Let MCP clients run Python with blender_execute_code")
    allow_job_dispatch: BoolProperty(name="Allow job_dispatch", default=True, update=_reconnect,
                                     description="Let MCP clients run Python scripts with job_dispatch")

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "server_url")
        layout.prop(self, "token")
        layout.prop(self, "label")
        layout.prop(self, "auto_connect")
        box = layout.box()
        box.label(text="Python from MCP clients runs with your user's full rights:")
        box.prop(self, "allow_execute_code")
        box.prop(self, "allow_job_dispatch")


def get(context=None):
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon is not None else None


def settings(context=None) -> Settings:
    prefs = get(context)
    if prefs is None:
        return Settings()
    return Settings(
        server_url=prefs.server_url.strip() or DEFAULT_URL,
        token=prefs.token,
        label=prefs.label,
        auto_connect=prefs.auto_connect,
        allow_execute_code=prefs.allow_execute_code,
        allow_job_dispatch=prefs.allow_job_dispatch,
    )


classes = (MCPBUS_AddonPreferences,)
