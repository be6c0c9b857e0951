"""The one check for every path an MCP client names (files, screenshots,
render output): Blender's '//' resolved, then core.paths against the
'Allowed folders' preference. Raises JobFailed saying where to allow it."""
import bpy

from ..core import paths
from ..core.registry import JobFailed
from . import preferences


def allowed_path(filepath: str) -> str:
    """The resolved absolute path, inside the allowed folders, or JobFailed."""
    try:
        return paths.check_path(bpy.path.abspath(filepath), preferences.settings().allowed_folders)
    except paths.PathNotAllowed as error:
        raise JobFailed(str(error))
