"""render_still and render_animation: a copy of the open file rendered by a
second Blender in background mode (render_subprocess.py), so this one stays
responsive, progress comes from its output, and a cancel kills it.

The main thread checks the inputs, saves the copy and reads the settings;
the worker thread runs and watches the process; the main thread then reads
the images back."""
import base64
import json
import os
import shutil
import tempfile
import time

import bpy

from ...core import render_process
from ...core.background import Background
from ...core.png import decode_png_size, fit_size
from ...core.registry import JobFailed, command
from ...core.render_progress import RenderProgress, sheet_layout
from .. import compat, preferences

FRIENDLY_ENGINES = {"eevee": compat.eevee_engine, "cycles": lambda: "CYCLES", "workbench": lambda: "BLENDER_WORKBENCH"}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "OPEN_EXR": ".exr", "TIFF": ".tif", "BMP": ".bmp", "WEBP": ".webp"}
MAX_FRAMES = 10000
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _engine(name):
    available = compat.render_engines()
    if not name:
        return None
    wanted = FRIENDLY_ENGINES.get(name.strip().lower(), lambda: name.strip().upper())()
    if wanted.startswith("BLENDER_EEVEE"):
        wanted = compat.eevee_engine()  # either EEVEE id means this Blender's EEVEE
    if wanted not in available:
        raise JobFailed("unknown render engine %r: this Blender has %s (or say eevee, cycles, workbench)"
                        % (name, ", ".join(available)))
    return wanted


def _camera(scene, name):
    cameras = sorted(o.name for o in bpy.data.objects if o.type == "CAMERA")
    listed = ", ".join(cameras) if cameras else "none: add one (Add > Camera)"
    if name:
        obj = bpy.data.objects.get(name)
        if obj is None or obj.type != "CAMERA":
            raise JobFailed("no camera object named %r; cameras in this file: %s" % (name, listed))
        return name
    if scene.camera is None:
        raise JobFailed("scene %r has no active camera: pass camera=<name> (cameras in this file: %s)"
                        % (scene.name, listed))
    return None


def _resolution(scene, resolution_x, resolution_y, max_size):
    pct = scene.render.resolution_percentage / 100.0
    width = resolution_x or max(1, int(round(scene.render.resolution_x * pct)))
    height = resolution_y or max(1, int(round(scene.render.resolution_y * pct)))
    if max_size and max(width, height) > max_size:
        width, height = fit_size(width, height, max_size)
    return width, height


def _writable_folder(folder, what):
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise JobFailed("cannot create %s %s: %s; pick a folder you can write" % (what, folder, error.strerror))
    if not os.access(folder, os.W_OK):
        raise JobFailed("cannot write to %s %s; pick a folder you can write" % (what, folder))
    return folder


def _png_path(filepath):
    path = os.path.abspath(bpy.path.abspath(filepath))
    root, ext = os.path.splitext(path)
    if ext.lower() != ".png":
        if ext:
            raise JobFailed("filepath must end in .png: render_still writes a PNG (got %r)" % filepath)
        path = root + ".png"
    _writable_folder(os.path.dirname(path) or os.getcwd(), "folder")
    return path


def _start(spec, work_dir, frames_total, finish):
    """Save the copy, then hand the render process to a worker thread."""
    binary = bpy.app.binary_path
    if not binary:
        raise JobFailed("this Blender does not know its own executable (bpy.app.binary_path is empty)")
    blend = os.path.join(work_dir, "scene.blend")
    try:
        compat.save_copy(blend)
    except Exception as error:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise JobFailed("could not save a copy of the open file to render: %s" % error)
    spec["compat"] = os.path.join(HERE, "compat.py")
    spec_path = os.path.join(work_dir, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    script = os.path.join(HERE, "render_subprocess.py")
    # --factory-startup: no add-ons (ours would connect a second Blender to the bus); the file keeps its settings.
    argv = [binary, "-b", "--factory-startup", "-noaudio", blend, "--python", script, "--", spec_path]

    def fetch(task):
        progress = RenderProgress(frames_total)

        def on_line(line):
            moved = progress.feed(line)
            if moved is not None:
                task.progress(*moved)

        code = None
        try:
            code = render_process.run(argv, task, on_line, cwd=work_dir)
        finally:
            if not progress.result:  # failed or cancelled: nothing here is worth keeping
                shutil.rmtree(work_dir, ignore_errors=True)
            for name in ("scene.blend", "scene.blend1", "spec.json"):
                try:
                    os.remove(os.path.join(work_dir, name))
                except OSError:
                    pass
        if not progress.result:
            raise JobFailed("render failed: %s" % progress.failure(code))
        return progress

    return Background(fetch, finish, outlives_timeout=True)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


@command("render_still")
def render_still(engine=None, resolution_x=None, resolution_y=None, max_size=None, samples=None, camera=None,
                 frame=None, filepath=None):
    scene = bpy.context.scene
    spec = {"scene": scene.name, "engine": _engine(engine), "camera": _camera(scene, camera), "samples": samples,
            "resolution": _resolution(scene, resolution_x, resolution_y, max_size), "file_format": "PNG"}
    frame = scene.frame_current if frame is None else int(frame)
    out = _png_path(filepath) if filepath else None
    work_dir = tempfile.mkdtemp(prefix="mcp-render-")
    out = out or os.path.join(work_dir, "render.png")
    spec.update(frames=[frame], paths=[out])

    def finish(progress):
        if filepath:
            shutil.rmtree(work_dir, ignore_errors=True)
        png = _read(out)
        width, height = decode_png_size(png)
        done = progress.result
        return {"filepath": out, "width": width, "height": height, "engine": done["engine"], "frame": frame,
                "render_seconds": round(float(done["seconds"]), 3), "png_base64": base64.b64encode(png).decode("ascii")}

    return _start(spec, work_dir, 1, finish)


@command("render_animation")
def render_animation(engine=None, resolution_x=None, resolution_y=None, max_size=None, samples=None, camera=None,
                     frame_start=None, frame_end=None, frame_step=1, file_format="PNG", output_folder=None):
    scene = bpy.context.scene
    start = scene.frame_start if frame_start is None else int(frame_start)
    end = scene.frame_end if frame_end is None else int(frame_end)
    if end < start:
        raise JobFailed("frame_end (%d) is before frame_start (%d): swap them" % (end, start))
    frames = list(range(start, end + 1, int(frame_step)))
    if len(frames) > MAX_FRAMES:
        raise JobFailed("%d frames is more than %d: render a shorter range or a larger frame_step"
                        % (len(frames), MAX_FRAMES))
    formats = [i.identifier for i in bpy.types.ImageFormatSettings.bl_rna.properties["file_format"].enum_items]
    if file_format not in formats:
        raise JobFailed("this Blender cannot write %s images: pick one of %s"
                        % (file_format, ", ".join(f for f in EXTENSIONS if f in formats)))
    spec = {"scene": scene.name, "engine": _engine(engine), "camera": _camera(scene, camera), "samples": samples,
            "resolution": _resolution(scene, resolution_x, resolution_y, None), "file_format": file_format}
    width, height = spec["resolution"]
    if max_size and max(width, height) > max_size:
        spec["resolution"] = width, height = fit_size(width, height, max_size)
    if output_folder:
        folder = _writable_folder(os.path.abspath(bpy.path.abspath(output_folder)), "output_folder")
    else:
        root = compat.user_data_folder(preferences.ADDON_ID, "renders")
        folder = tempfile.mkdtemp(prefix=time.strftime("anim-%Y%m%d-%H%M%S-"), dir=root)
    ext = EXTENSIONS[file_format]
    work_dir = tempfile.mkdtemp(prefix="mcp-render-")
    sheet = dict(sheet_layout(len(frames), width, height), path=os.path.join(work_dir, "contact-sheet.png"))
    spec.update(frames=frames, paths=[os.path.join(folder, "frame_%04d%s" % (f, ext)) for f in frames], sheet=sheet)

    def finish(progress):
        try:
            png = _read(sheet["path"])
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        done = progress.result
        return {"folder": folder, "files": progress.files, "width": int(done["width"]), "height": int(done["height"]),
                "engine": done["engine"], "render_seconds": round(float(done["seconds"]), 3),
                "png_base64": base64.b64encode(png).decode("ascii")}

    return _start(spec, work_dir, len(frames), finish)
