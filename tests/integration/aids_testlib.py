# aids_testlib.py: helpers for the design-aid integration tests (calibration,
# templates, mirror, checks): calling any SMP procedure, paths, face geometry.
"""Face geometry here is the tests' own: the midline is the perpendicular
bisector of the outer eye corners, "up" is perpendicular to the eye line toward
the scalp, heights are measured from the glabella's level."""

import math
import os

from smp_testlib import *  # noqa: F401,F403
from smp_testlib import Gimp, GLib, SUCCESS, image_state, check


def run_proc(name, img, drawables=None, **args):
    """Runs an SMP procedure non-interactively. Keyword names use _ for -.
    Returns (status, values): the return values on success, else [message]."""
    proc = Gimp.get_pdb().lookup_procedure(name)
    if proc is None:
        raise RuntimeError(name + " is not installed")
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("image", img)
    if drawables:
        cfg.set_core_object_array("drawables", drawables)
    for key, value in args.items():
        cfg.set_property(key.replace("_", "-"), value)
    result = proc.run(cfg)
    status = result.index(0)
    values = [result.index(i) for i in range(1, result.length())]
    return status, values


def expect_error(label, img, name, words=(), drawables=None, **args):
    """Runs, expects a failure with a message naming `words`, and an unchanged image
    (layers and pixels, paths, parasite names and texts, selection)."""
    before = image_state(img), parasite_texts(img)
    status, values = run_proc(name, img, drawables, **args)
    message = values[0] if values and isinstance(values[0], str) else ""
    check(status != SUCCESS, f"{label}: error status", status.value_nick)
    low = message.lower()
    check(message and all(w.lower() in low for w in words), f"{label}: clear message", message)
    check((image_state(img), parasite_texts(img)) == before, f"{label}: image unchanged")


def parasite_texts(img):
    out = []
    for name in sorted(img.get_parasite_list()):
        p = img.get_parasite(name)
        out.append((name, bytes(p.get_data())))
    return out


def has_key(kf, group, key):
    try:
        return key in kf.get_keys(group)[0]
    except GLib.Error:
        return False


def image_key_file(img, name):
    p = img.get_parasite(name)
    if p is None:
        return None
    text = bytes(p.get_data()).decode()
    kf = GLib.KeyFile.new()
    kf.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    return kf


# ---- Paths ------------------------------------------------------------------

def path_from_anchors(img, name, anchors, handles=None):
    """A one-stroke path; `handles` (optional) gives (in, out) per anchor."""
    path = Gimp.Path.new(img, name)
    cps = []
    for i, (x, y) in enumerate(anchors):
        if handles:
            (ix, iy), (ox, oy) = handles[i]
            cps += [ix, iy, x, y, ox, oy]
        else:
            cps += [x, y, x, y, x, y]
    path.stroke_new_from_points(Gimp.PathStrokeType.BEZIER, cps, False)
    img.insert_path(path, None, 0)
    return path


def path_control_points(path):
    """All strokes' control points as [(x, y), ...] (C A C per anchor)."""
    pts = []
    for sid in path.get_strokes():
        res = path.stroke_get_points(sid)
        flat = res[1]
        pts += [(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]
    return pts


def path_anchors(path):
    return path_control_points(path)[1::3]


def path_polyline(path, precision=0.1):
    """The first stroke, interpolated: [(x, y), ...]."""
    sid = path.get_strokes()[0]
    res = path.stroke_interpolate(sid, precision)
    flat = res[0] if isinstance(res[0], (list, tuple)) else res[1]
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]


# ---- Face geometry -------------------------------------------------------------

class Face:
    """A face built by the test: eye midpoint (cx, cy), tilt (degrees),
    half eye-corner distance and glabella height above the eye line (px)."""

    def __init__(self, cx, cy, tilt_deg, half_width, glabella_up, px_per_mm):
        self.cx, self.cy = cx, cy
        t = math.radians(tilt_deg)
        self.across = (math.cos(t), math.sin(t))
        self.up = (math.sin(t), -math.cos(t))
        self.w, self.g, self.ppm = half_width, glabella_up, px_per_mm

    def point(self, a_px, u_px):
        """Image point at `a_px` across the midline, `u_px` above the glabella's level."""
        u = u_px + self.g
        return (self.cx + a_px * self.across[0] + u * self.up[0],
                self.cy + a_px * self.across[1] + u * self.up[1])

    def coords(self, x, y):
        dx, dy = x - self.cx, y - self.cy
        return (dx * self.across[0] + dy * self.across[1],
                dx * self.up[0] + dy * self.up[1] - self.g)

    def landmarks(self):
        """glabella, eye on the viewer's left, eye on the right."""
        return self.point(0, 0), self.point(-self.w, -self.g), self.point(self.w, -self.g)

    def reflect(self, x, y):
        a, u = self.coords(x, y)
        return self.point(-a, u)

    def midline_heights_mm(self, poly):
        """Heights (mm) where the polyline crosses the midline."""
        out = []
        for (x0, y0), (x1, y1) in zip(poly, poly[1:]):
            a0, u0 = self.coords(x0, y0)
            a1, u1 = self.coords(x1, y1)
            if (a0 <= 0 < a1) or (a0 >= 0 > a1):
                out.append((u0 + a0 / (a0 - a1) * (u1 - u0)) / self.ppm)
        return out


def frame_path(img, face, order=(0, 1, 2), name="Face frame"):
    marks = face.landmarks()
    return path_from_anchors(img, name, [marks[i] for i in order])


def point_polyline_distance(p, poly):
    best = float("inf")
    px, py = p
    for (ax, ay), (bx, by) in zip(poly, poly[1:]):
        dx, dy = bx - ax, by - ay
        l2 = dx * dx + dy * dy
        t = 0.0 if l2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / l2))
        best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
    return best


def templates_dir():
    return os.path.join(os.environ["GIMP3_DIRECTORY"], "plug-ins", "smp-hairline",
                        "patterns", "templates")


def read_template(template_id):
    """(name, half points [(x, y)], temple index) read straight from the file."""
    kf = GLib.KeyFile.new()
    kf.load_from_file(os.path.join(templates_dir(), template_id + ".smp-template"),
                      GLib.KeyFileFlags.NONE)
    name = kf.get_string("SMP Template", "name")
    half = []
    for item in kf.get_string_list("SMP Template", "half"):
        item = item.strip().rstrip("!")
        if item:
            x, y = item.split(",")
            half.append((float(x), float(y)))
    temple = next(i for i, (x, _) in enumerate(half) if x == 1.0)
    return name, half, temple


def template_ids():
    return sorted(f[:-len(".smp-template")] for f in os.listdir(templates_dir())
                  if f.endswith(".smp-template"))
