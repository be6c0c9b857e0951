"""get_viewport_screenshot: an offscreen render of the largest 3D view.

GPUOffScreen + draw_view3d gives a correct image on 3.4, 4.3 and 5.2, where
screen.screenshot_area comes back black on 4.3. The image is drawn at the
requested size directly (same view and projection), so no pixel scaling
happens in Python."""
import base64
import os

import bpy
import gpu

from ...core.png import encode_png, fit_size
from ...core.registry import JobFailed, command
from .. import compat
from ..lookup import largest_view3d
from ..paths import allowed_path


@command("get_viewport_screenshot")
def get_viewport_screenshot(max_size=800, filepath=None):
    written = allowed_path(filepath) if filepath else None  # refuse before rendering
    found = largest_view3d()
    if found is None:
        raise JobFailed("no 3D viewport is open in this Blender (background mode has none)")
    window, area, region = found
    space = area.spaces.active
    width, height = fit_size(region.width, region.height, max_size)
    view_layer = window.view_layer
    scene = window.scene
    offscreen = gpu.types.GPUOffScreen(width, height)
    try:
        with offscreen.bind():
            offscreen.draw_view3d(scene, view_layer, space, region,
                                  space.region_3d.view_matrix, space.region_3d.window_matrix,
                                  do_color_management=True)
            pixels = compat.read_rgb(compat.active_framebuffer(), width, height)
    finally:
        offscreen.free()
    png = encode_png(width, height, pixels, channels=3, bottom_up=True)
    if written:
        folder = os.path.dirname(written)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(written, "wb") as f:
            f.write(png)
    return {"filepath": written, "width": width, "height": height,
            "png_base64": base64.b64encode(png).decode("ascii")}
