"""get_views: several viewpoints drawn offscreen into one labelled grid.

Each view is the 3D viewport's own drawing (GPUOffScreen.draw_view3d, as the
screenshot does) with view and projection matrices computed here, so nothing
in the user's viewport moves."""
import base64

import bpy
import gpu
from mathutils import Matrix, Vector

from ...core.grid import compose, flip_rows, layout
from ...core.png import encode_png
from ...core.registry import JobFailed, command
from .. import compat
from ..lookup import find_object, is_visible, largest_view3d

# View name: (direction from the framed centre to the eye, the screen's up), as Blender's numpad views.
AXES = {
    "front": ((0, -1, 0), (0, 0, 1)),
    "back": ((0, 1, 0), (0, 0, 1)),
    "right": ((1, 0, 0), (0, 0, 1)),
    "left": ((-1, 0, 0), (0, 0, 1)),
    "top": ((0, 0, 1), (0, 1, 0)),
    "bottom": ((0, 0, -1), (0, -1, 0)),
}
MARGIN = 1.15
# Points, not shapes: framing them would zoom out to where the camera and lights stand.
UNFRAMED_TYPES = {"CAMERA", "LIGHT", "LIGHT_PROBE", "SPEAKER"}


def _look_at(eye: Vector, target: Vector, up: Vector) -> Matrix:
    z = (eye - target).normalized()
    x = up.cross(z).normalized()
    y = z.cross(x)
    return Matrix((
        (x.x, x.y, x.z, -x.dot(eye)),
        (y.x, y.y, y.z, -y.dot(eye)),
        (z.x, z.y, z.z, -z.dot(eye)),
        (0.0, 0.0, 0.0, 1.0),
    ))


def _orthographic(half: float, near: float, far: float) -> Matrix:
    depth = far - near
    return Matrix((
        (1.0 / half, 0.0, 0.0, 0.0),
        (0.0, 1.0 / half, 0.0, 0.0),
        (0.0, 0.0, -2.0 / depth, -(far + near) / depth),
        (0.0, 0.0, 0.0, 1.0),
    ))


def _framed_points(scene, names):
    if names:
        objects = [find_object(name) for name in names]
    else:
        visible = [o for o in scene.objects if is_visible(o)]
        objects = [o for o in visible if o.type not in UNFRAMED_TYPES] or visible
    points = [o.matrix_world @ Vector(corner) for o in objects for corner in o.bound_box]
    return points or [Vector((x, y, z)) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]


def _axis_matrices(points, view):
    direction, up = (Vector(v) for v in AXES[view])
    low = Vector(tuple(min(p[i] for p in points) for i in range(3)))
    high = Vector(tuple(max(p[i] for p in points) for i in range(3)))
    centre = (low + high) / 2
    radius = max(max((p - centre).length for p in points), 0.01)
    eye = centre + direction * (radius * 2 + 1)
    view_matrix = _look_at(eye, centre, up)
    half = 0.0
    for p in points:
        local = view_matrix @ p
        half = max(half, abs(local.x), abs(local.y))
    distance = (eye - centre).length
    return view_matrix, _orthographic(max(half, 0.01) * MARGIN, 0.01, distance + radius * 2 + 1)


def _camera_matrices(scene, depsgraph, cell):
    camera = scene.camera
    if camera is None:
        raise JobFailed("the scene has no camera (scene.camera is unset): add one, or leave 'camera' out of views")
    projection = camera.calc_matrix_camera(depsgraph, x=cell, y=cell, scale_x=1.0, scale_y=1.0)
    return camera.matrix_world.inverted(), projection


def _user_matrices(region, space):
    """The viewport's own view, its projection widened to a square cell so
    that everything the (non-square) viewport shows stays in the picture."""
    rv3d = space.region_3d
    projection = rv3d.window_matrix.copy()
    aspect = region.width / float(region.height)
    row = 1 if aspect >= 1 else 0
    factor = 1.0 / aspect if aspect >= 1 else aspect
    for column in range(4):
        projection[row][column] *= factor
    return rv3d.view_matrix.copy(), projection


@command("get_views")
def get_views(views=["front", "right", "top", "user"], frame=None, size=384):
    found = largest_view3d()
    if found is None:
        raise JobFailed("no 3D viewport is open in this Blender (background mode has none)")
    window, area, region = found
    space = area.spaces.active
    scene, view_layer = window.scene, window.view_layer
    grid = layout(len(views), size)
    cell = grid.cell
    points = _framed_points(scene, frame) if any(v in AXES for v in views) else None
    depsgraph = bpy.context.evaluated_depsgraph_get()
    matrices = []
    for view in views:
        if view in AXES:
            matrices.append(_axis_matrices(points, view))
        elif view == "camera":
            matrices.append(_camera_matrices(scene, depsgraph, cell))
        elif view == "user":
            matrices.append(_user_matrices(region, space))
        else:
            raise JobFailed("unknown view %r: use one of %s" % (view, ", ".join(list(AXES) + ["camera", "user"])))
    pixels = []
    offscreen = gpu.types.GPUOffScreen(cell, cell)
    show_cameras = space.show_object_viewport_camera
    try:
        for view, (view_matrix, projection) in zip(views, matrices):
            # Seen from its own eye, the camera's outline would cover the picture.
            space.show_object_viewport_camera = show_cameras and view != "camera"
            with offscreen.bind():
                offscreen.draw_view3d(scene, view_layer, space, region, view_matrix, projection,
                                      do_color_management=True)
                pixels.append(flip_rows(compat.read_rgb(compat.active_framebuffer(), cell, cell), cell, cell))
    finally:
        space.show_object_viewport_camera = show_cameras
        offscreen.free()
    png = encode_png(grid.width, grid.height, compose(pixels, grid, views))
    cells = []
    for index, view in enumerate(views):
        x, y = grid.origin(index)
        cells.append({"view": view, "x": x, "y": y, "size": cell})
    return {"width": grid.width, "height": grid.height, "cells": cells,
            "png_base64": base64.b64encode(png).decode("ascii")}
