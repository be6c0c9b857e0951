import logging

# The addon logs warnings the tests provoke on purpose; keep them out of the
# unittest -v lines that tools parse.
logging.getLogger("blender_mcp_bus").addHandler(logging.NullHandler())
logging.getLogger("blender_mcp_bus").propagate = False
