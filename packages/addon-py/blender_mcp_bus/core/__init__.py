"""The Python-only half of the addon: protocol, socket client, queue, registry. Never imports bpy."""
