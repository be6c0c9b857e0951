"""Command handlers, one module per domain; importing them registers them."""
import importlib
import pkgutil


def load_all() -> None:
    """Import every handler module in this folder: a new command is a new file, listed nowhere else."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module("%s.%s" % (__name__, info.name))
