"""MCP Bus: lets MCP clients drive this Blender through the blender-mcp bus server."""

bl_info = {
    "name": "MCP Bus",
    "author": "Blender MCP bus developers",
    "version": (0, 1, 0),
    "blender": (3, 0, 0),
    "location": "3D Viewport > Sidebar > MCP",
    "description": "Connects Blender to an MCP bus server so MCP clients can run commands and scripts here",
    "doc_url": "",
    "category": "System",
}


def register():
    # Imported here, not at module level: the core is tested without bpy.
    from .blender import addon

    addon.register()


def unregister():
    from .blender import addon

    addon.unregister()
