"""The sidebar panel (3D View > MCP) and the connect / disconnect operators."""
import time

import bpy

from . import runtime

_STATE_ICONS = {
    "connected": "CHECKMARK",
    "connecting": "SORTTIME",
    "retrying": "FILE_REFRESH",
    "refused": "ERROR",
    "disconnected": "UNLINKED",
}
_JOB_ICONS = {"queued": "SORTTIME", "running": "PLAY", "completed": "CHECKMARK", "failed": "ERROR"}


class MCP_BUS_OT_connect(bpy.types.Operator):
    bl_idname = "mcp_bus.connect"
    bl_label = "Connect"
    bl_description = "Connect to the MCP bus server named in the add-on preferences"

    url: bpy.props.StringProperty(name="URL", default="", description="Override the preferences' server URL",
                                  options={"SKIP_SAVE"})

    def execute(self, context):
        runtime.connect(self.url or None)
        return {"FINISHED"}


class MCP_BUS_OT_disconnect(bpy.types.Operator):
    bl_idname = "mcp_bus.disconnect"
    bl_label = "Disconnect"
    bl_description = "Disconnect from the MCP bus server and stop retrying"

    def execute(self, context):
        runtime.disconnect()
        return {"FINISHED"}


class MCP_BUS_PT_panel(bpy.types.Panel):
    bl_label = "MCP Bus"
    bl_idname = "MCP_BUS_PT_panel"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "MCP"

    def draw(self, context):
        layout = self.layout
        session = runtime.session()
        if session is None:
            layout.label(text="Not running")
            return
        status = session.connection.status
        col = layout.column(align=True)
        col.label(text=status.state.capitalize(), icon=_STATE_ICONS.get(status.state, "QUESTION"))
        if status.detail:
            _wrapped(col, status.detail)
        if status.retry_at is not None and status.state in ("retrying", "refused"):
            col.label(text="Next try in %.0f s" % max(0.0, status.retry_at - time.monotonic()))
        if status.url:
            col.label(text=status.url)
        layout.label(text="Client: %s" % session.client_uuid)
        row = layout.row(align=True)
        if status.state == "disconnected":
            row.operator(MCP_BUS_OT_connect.bl_idname, icon="LINKED")
        else:
            row.operator(MCP_BUS_OT_disconnect.bl_idname, icon="UNLINKED")
        history = session.queue.history()
        box = layout.box()
        box.label(text="Jobs (%d queued)" % len(session.queue))
        if not history:
            box.label(text="None yet")
        for record in history[:10]:
            line = box.row()
            line.label(text="%s  %s" % (record.command, record.job_id), icon=_JOB_ICONS.get(record.status, "DOT"))
            if record.error:
                line.label(text=record.error.splitlines()[-1][:60])


def _wrapped(layout, text: str, width: int = 40) -> None:
    words, line = text.split(), ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            layout.label(text=line)
            line = word
        else:
            line = (line + " " + word).strip()
    if line:
        layout.label(text=line)


classes = (MCP_BUS_OT_connect, MCP_BUS_OT_disconnect, MCP_BUS_PT_panel)
