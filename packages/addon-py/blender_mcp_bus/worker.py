"""Entry of a headless worker, run by Blender rather than imported:

    blender -b [file.blend] --python <this file> -- [--url URL] [--token T] [--label L] [--gated G]

Works from the installed addon folder or an unpacked zip: the folder above
this package goes on sys.path, and blender/worker.py does the rest."""
import os
import sys

if __name__ == "__main__":
    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(_here))
    _package = __import__(os.path.basename(_here) + ".blender.worker", fromlist=["run"])
    _code = _package.run()
    sys.stdout.flush()
    if _code:
        sys.exit(_code)
