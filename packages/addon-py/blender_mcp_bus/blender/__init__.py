"""The half of the addon that touches Blender (bpy): timers, preferences, UI, command handlers."""
