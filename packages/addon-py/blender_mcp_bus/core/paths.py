"""Which paths MCP clients may read and write: only inside the folders the
user allows (the addon preference 'Allowed folders'). Pure Python, so the
check is unit-tested without Blender; the bpy layer resolves Blender's
relative '//' paths before calling it."""
import os
import tempfile
from typing import Iterable, List, Tuple

SEPARATOR = ";"
PREFERENCE = "Preferences > Add-ons > MCP Bus > Allowed folders"


class PathNotAllowed(ValueError):
    """A path outside the allowed folders; the message says where to allow it."""


def default_folders() -> Tuple[str, ...]:
    """The user's home and the system temp folder: where files an agent makes usually belong."""
    return tuple(dict.fromkeys(os.path.realpath(f) for f in (os.path.expanduser("~"), tempfile.gettempdir())))


def parse_folders(text: str) -> Tuple[str, ...]:
    """'a;b' -> resolved absolute folders; empty text means the defaults."""
    folders = [os.path.realpath(os.path.expanduser(part.strip())) for part in (text or "").split(SEPARATOR)
               if part.strip()]
    return tuple(dict.fromkeys(folders)) if folders else default_folders()


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives on Windows
        return False


def check_path(path: str, folders: Iterable[str]) -> str:
    """The resolved path (symlinks and '..' followed), or PathNotAllowed."""
    if not path:
        raise PathNotAllowed("a file path is needed")
    folders: List[str] = [os.path.realpath(f) for f in folders]
    resolved = os.path.realpath(os.path.abspath(os.path.expanduser(path)))
    if not any(_inside(resolved, folder) for folder in folders):
        raise PathNotAllowed("%s is outside the allowed folders (%s: %s)" % (
            resolved, PREFERENCE, SEPARATOR.join(folders) or "none"))
    return resolved
