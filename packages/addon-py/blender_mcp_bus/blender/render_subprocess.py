"""The script a background render runs in its own Blender:
blender -b --factory-startup COPY.blend --python render_subprocess.py -- SPEC.json

Not imported by the addon. It applies the spec's settings to the copy,
renders each frame, saves it, optionally builds a contact sheet, and talks
to the addon through marker lines on stdout (see core/render_progress.py)."""
import importlib.util
import json
import os
import sys
import time

import bpy

MARKER = "@mcp-render "


def say(**event):
    print(MARKER + json.dumps(event), flush=True)


def load_compat(path):
    spec = importlib.util.spec_from_file_location("mcp_render_compat", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_stats(*args):
    # 4.x and 5.x pass the stats text; 3.4 passes None and prints it itself.
    text = args[0] if args and isinstance(args[0], str) else None
    if text:
        say(event="stats", text=text[:300])


def configure(scene, spec, compat):
    render = scene.render
    if spec.get("engine"):
        render.engine = spec["engine"]
    width, height = spec["resolution"]
    render.resolution_x, render.resolution_y, render.resolution_percentage = width, height, 100
    if spec.get("samples"):
        compat.set_render_samples(scene, render.engine, spec["samples"])
    if render.engine == "CYCLES":
        import _cycles

        # Builds without OpenImageDenoise (Debian's) fail the whole render when it is asked for.
        if not getattr(_cycles, "with_openimagedenoise", True):
            scene.cycles.use_denoising = False
    if spec.get("camera"):
        scene.camera = bpy.data.objects[spec["camera"]]
    settings = render.image_settings
    settings.file_format = spec["file_format"]
    if spec["file_format"] == "PNG":
        settings.color_depth = "8"


def contact_sheet(paths, layout, out):
    columns, tw, th = layout["columns"], layout["thumb_width"], layout["thumb_height"]
    width, height = columns * tw, layout["rows"] * th
    pixels = [0.12, 0.12, 0.12, 1.0] * (width * height)
    for slot, index in enumerate(layout["picks"]):
        image = bpy.data.images.load(paths[index])
        image.scale(tw, th)
        thumb = list(image.pixels[:])
        if image.is_float:  # linear (EXR): roughly to display values
            thumb = [max(0.0, min(1.0, v)) ** (1 / 2.2) if i % 4 != 3 else 1.0 for i, v in enumerate(thumb)]
        bpy.data.images.remove(image)
        column, row = slot % columns, slot // columns
        bottom = height - (row + 1) * th  # Blender's rows run bottom-up; slots fill from the top.
        for y in range(th):
            start = ((bottom + y) * width + column * tw) * 4
            pixels[start:start + tw * 4] = thumb[y * tw * 4:(y + 1) * tw * 4]
    sheet = bpy.data.images.new("mcp-contact-sheet", width, height, alpha=False)
    sheet.pixels[:] = pixels
    sheet.filepath_raw = out
    sheet.file_format = "PNG"
    sheet.save()
    return out


def main(spec):
    compat = load_compat(spec["compat"])
    scene = bpy.data.scenes[spec["scene"]]
    configure(scene, spec, compat)
    bpy.app.handlers.render_stats.append(on_stats)
    started = time.monotonic()
    written = []
    for frame, path in zip(spec["frames"], spec["paths"]):
        say(event="frame", frame=frame)
        scene.frame_set(frame)
        bpy.ops.render.render(scene=scene.name)
        bpy.data.images["Render Result"].save_render(filepath=path, scene=scene)
        if not os.path.exists(path):
            raise RuntimeError("Blender did not write %s" % path)
        written.append(path)
        say(event="written", frame=frame, path=path)
    seconds = time.monotonic() - started
    sheet = contact_sheet(written, spec["sheet"], spec["sheet"]["path"]) if spec.get("sheet") else None
    say(event="done", engine=scene.render.engine, width=scene.render.resolution_x,
        height=scene.render.resolution_y, seconds=seconds, sheet=sheet)


if __name__ == "__main__":
    try:
        with open(sys.argv[sys.argv.index("--") + 1]) as f:
            main(json.load(f))
    except BaseException as error:  # the addon reads the reason from this line
        say(event="error", message=("%s: %s" % (type(error).__name__, error)).strip())
        sys.stdout.flush()
        os._exit(1)
