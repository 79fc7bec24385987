# smp_testlib.py: helpers for integration tests running inside headless GIMP 3
# (python-fu-eval): images, SVG paths, calling the procedure, measuring layers.
"""Every check prints one line: "PASS what (detail)" or "FAIL what (detail)";
runner.py fails the test on any FAIL line or when no PASS line appears."""

import array
import hashlib
import math
import os
import sys
import time

import gi
gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gimp, Gegl, GLib  # noqa: E402

Gegl.init(None)

PROC = "plug-in-smp-hairline"
GROUP_NAME = "SMP proposal"
SUCCESS = Gimp.PDBStatusType.SUCCESS

_failures = []

# A pixel whose alpha is above this belongs to an impression's core; below it
# lies the faint wide shadow every impression casts under the skin
# (docs/optics.md). Tests about where dots are look at cores.
DOT_ALPHA = 0.4


def check(cond, what, detail=""):
    tail = f" ({detail})" if detail != "" else ""
    if cond:
        print(f"PASS {what}{tail}", flush=True)
    else:
        _failures.append(what)
        print(f"FAIL {what}{tail}", flush=True)
    return bool(cond)


def info(text):
    print(f"INFO {text}", flush=True)


def finish():
    """Last line of every test."""
    if _failures:
        print(f"FAIL {len(_failures)} check(s) failed: {', '.join(_failures)}", flush=True)
    else:
        print("PASS all checks", flush=True)
    for img in Gimp.get_images():
        img.delete()


# ---- Images --------------------------------------------------------------

def _texture_row(width, y, channels):
    """A deterministic skin-like texture, so that a changed pixel changes the hash."""
    row = bytearray(width * channels)
    for x in range(width):
        v = 150 + ((x * 7 + y * 13) % 37) + ((x * y) % 11)
        base = x * channels
        if channels == 3:
            row[base] = min(v + 40, 255)
            row[base + 1] = v
            row[base + 2] = max(v - 30, 0)
        else:
            row[base] = v
    return row


def paint_texture(drawable):
    w, h = drawable.get_width(), drawable.get_height()
    gray = drawable.is_gray()
    channels = 1 if gray else 3
    fmt = "Y' u8" if gray else "R'G'B' u8"
    buf = drawable.get_buffer()
    band = 64
    for y0 in range(0, h, band):
        rows = min(band, h - y0)
        data = bytearray()
        for y in range(y0, y0 + rows):
            data += _texture_row(w, y, channels)
        buf.set(Gegl.Rectangle.new(0, y0, w, rows), fmt, bytes(data))
    buf.flush()
    drawable.update(0, 0, w, h)


def new_image(width, height, base="rgb", precision=None, layer_rect=None, texture=True):
    """An image with one textured client layer (optionally smaller, with offsets)."""
    base_type = {"rgb": Gimp.ImageBaseType.RGB, "gray": Gimp.ImageBaseType.GRAY}[base]
    if precision is None:
        img = Gimp.Image.new(width, height, base_type)
    else:
        img = Gimp.Image.new_with_precision(width, height, base_type, precision)
    lx, ly, lw, lh = layer_rect or (0, 0, width, height)
    layer_type = Gimp.ImageType.RGB_IMAGE if base == "rgb" else Gimp.ImageType.GRAY_IMAGE
    layer = Gimp.Layer.new(img, "Client photo", lw, lh, layer_type, 100, Gimp.LayerMode.NORMAL)
    img.insert_layer(layer, None, 0)
    layer.set_offsets(lx, ly)
    if texture:
        paint_texture(layer)
    else:
        layer.fill(Gimp.FillType.WHITE)
    return img, layer


def add_path(img, d, name="Hairline"):
    """Imports an SVG path (image px) and returns it."""
    w, h = img.get_width(), img.get_height()
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}"><path id="{name}" d="{d}" fill="none" stroke="black"/></svg>')
    res = img.import_paths_from_string(svg, len(svg.encode()), False, False)
    ok, paths = res[0], res[-1]
    if not ok or not paths:
        raise RuntimeError("could not import path " + d)
    path = paths[0]
    path.set_name(name)
    return path


# ---- Calling the procedure ------------------------------------------------

def run_hairline(img, drawable, path=None, **args):
    """Runs plug-in-smp-hairline non-interactively. Keyword names use _ for -.
    Returns (status, message)."""
    proc = Gimp.get_pdb().lookup_procedure(PROC)
    if proc is None:
        raise RuntimeError(PROC + " is not installed")
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("image", img)
    cfg.set_core_object_array("drawables", [drawable])
    if path is not None:
        cfg.set_property("path", path)
    for key, value in args.items():
        name = key.replace("_", "-")
        if name == "shade" and isinstance(value, str):
            color = Gegl.Color.new(value)
            value = color
        cfg.set_property(name, value)
    result = proc.run(cfg)
    status = result.index(0)
    message = ""
    if status != SUCCESS and result.length() > 1:
        message = result.index(1) or ""
    return status, message


# ---- Memory -------------------------------------------------------------

# Budgets are for the plain build; a sanitized plug-in (ASan shadow memory,
# quarantine) gets this factor more (tests/meson.build sets it).
MEMORY_ALLOWANCE = float(os.environ.get("SMP_MEMORY_ALLOWANCE", "1") or 1)


def reset_memory_report():
    report = os.environ.get("SMP_PLUGIN_MEMORY_REPORT", "")
    if report and os.path.exists(report):
        os.unlink(report)


def plugin_peaks_mb():
    """Peak RSS (MB) of each plug-in process since the last reset, oldest first
    (the runner's /usr/bin/time wrapper appends one line per process)."""
    report = os.environ.get("SMP_PLUGIN_MEMORY_REPORT", "")
    if not report or not os.path.exists(report):
        return []
    peaks = []
    for line in open(report).read().splitlines():
        fields = line.split()
        if "peak_kb" in fields:
            peaks.append(int(fields[fields.index("peak_kb") + 1]) / 1024)
    return peaks


def wait_for_peaks(count=1, timeout=30.0):
    """plugin_peaks_mb() once `count` processes have reported: /usr/bin/time
    writes its line when the plug-in exits, just after the call returns."""
    deadline = time.monotonic() + timeout
    peaks = plugin_peaks_mb()
    while len(peaks) < count and time.monotonic() < deadline:
        time.sleep(0.2)
        peaks = plugin_peaks_mb()
    return peaks


def timed_run(img, drawable, **args):
    t0 = time.perf_counter()
    status, message = run_hairline(img, drawable, **args)
    return status, message, time.perf_counter() - t0


# ---- The layer tree -----------------------------------------------------

def walk(img):
    """(depth, layer) for every layer, top to bottom, depth first."""
    def rec(layers, depth):
        for layer in layers:
            yield depth, layer
            if layer.is_group():
                yield from rec(layer.get_children(), depth + 1)
    yield from rec(img.get_layers(), 0)


def proposal_groups(img):
    """Proposal groups, top to bottom. GIMP keeps names unique in an image, so
    a second proposal is "SMP proposal #1"; the parasite marks them all."""
    return [l for _, l in walk(img) if l.is_group() and l.get_name().startswith(GROUP_NAME)
            and record_text(l) is not None]


def session_layers(group):
    """Session layers of a group, bottom to top."""
    kids = [l for l in group.get_children() if l.get_name().startswith("Session ")]
    return list(reversed(kids))


def offsets(drawable):
    res = drawable.get_offsets()
    return (res[1], res[2]) if len(res) == 3 else (res[0], res[1])


def parasite_text(item, name):
    p = item.get_parasite(name)
    if p is None:
        return None
    # GIMP hands the bytes back as gint8: a byte above 127 comes back negative.
    return bytes(b & 0xFF for b in p.get_data()).decode("utf-8", "replace")


def record_name(group):
    """The image parasite holding a proposal group's record (docs/stored-format.md)."""
    return f"smp-design-{group.get_tattoo()}"


def record_text(group):
    """A proposal group's record: the image's "smp-design-<tattoo>" parasite, else
    (files of 0.1.0) the group's own "smp-design"."""
    p = group.get_image().get_parasite(record_name(group))
    if p is None:
        return parasite_text(group, "smp-design")
    return bytes(b & 0xFF for b in p.get_data()).decode("utf-8", "replace")


def set_record_text(group, text):
    group.get_image().attach_parasite(Gimp.Parasite.new(record_name(group), 3, list(text.encode())))


def key_file(text):
    kf = GLib.KeyFile.new()
    kf.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    return kf


# ---- Pixels ---------------------------------------------------------------

def read(drawable, fmt, rect=None):
    """Raw bytes of `rect` (drawable coordinates; default: the whole drawable)."""
    buf = drawable.get_buffer()
    if rect is None:
        rect = (0, 0, drawable.get_width(), drawable.get_height())
    data = buf.get(Gegl.Rectangle.new(*rect), 1.0, fmt, Gegl.AbyssPolicy.NONE)
    return bytes(data)


def pixel_hash(drawable):
    """Hash of the drawable's pixels in a lossless format, with its size and place."""
    h = hashlib.sha256()
    h.update(repr((drawable.get_width(), drawable.get_height(), offsets(drawable))).encode())
    if not drawable.is_group():
        h.update(read(drawable, "RGBA float"))
    return h.hexdigest()


def image_state(img):
    """Everything a failed run must leave alone: the layer tree with every
    layer's pixels, the paths, the parasites and the selection."""
    state = []
    for depth, layer in walk(img):
        state.append((depth, layer.get_name(), layer.get_id(), layer.get_mode(),
                      layer.get_opacity(), layer.get_visible(), pixel_hash(layer),
                      tuple(sorted(layer.get_parasite_list()))))
    state.append(("paths", tuple(p.get_name() for p in img.get_paths())))
    state.append(("parasites", tuple(sorted(img.get_parasite_list()))))
    state.append(("selection", pixel_hash(img.get_selection())))
    state.append(("size", img.get_width(), img.get_height(), img.get_base_type(),
                  img.get_precision()))
    return state


def alpha_floats(drawable, rect=None):
    return array.array("f", read(drawable, "RGBA float", rect))[3::4]


def alpha_map(layers, rect):
    """Largest alpha (0..1) over `layers` per pixel of `rect` (image px):
    a list of rows."""
    x0, y0, w, h = rect
    out = [array.array("f", bytes(4 * w)) for _ in range(h)]
    for layer in layers:
        ox, oy = offsets(layer)
        lw, lh = layer.get_width(), layer.get_height()
        ix0, iy0 = max(x0, ox), max(y0, oy)
        ix1, iy1 = min(x0 + w, ox + lw), min(y0 + h, oy + lh)
        if ix1 <= ix0 or iy1 <= iy0:
            continue
        a = alpha_floats(layer, (ix0 - ox, iy0 - oy, ix1 - ix0, iy1 - iy0))
        rw = ix1 - ix0
        for yy in range(iy1 - iy0):
            row = out[iy0 - y0 + yy]
            src = a[yy * rw:(yy + 1) * rw]
            base = ix0 - x0
            for xx in range(rw):
                if src[xx] > row[base + xx]:
                    row[base + xx] = src[xx]
    return out


def layer_bounds_alpha(layers, threshold=DOT_ALPHA):
    """Image-space bounding box (x0, y0, x1, y1) of alpha > threshold (by
    default: impression cores), or None."""
    box = None
    for layer in layers:
        ox, oy = offsets(layer)
        w, h = layer.get_width(), layer.get_height()
        a = alpha_floats(layer)
        for y in range(h):
            row = a[y * w:(y + 1) * w]
            xs = [x for x in range(w) if row[x] > threshold]
            if xs:
                bx = (ox + xs[0], oy + y, ox + xs[-1] + 1, oy + y + 1)
                box = bx if box is None else (min(box[0], bx[0]), min(box[1], bx[1]),
                                              max(box[2], bx[2]), max(box[3], bx[3]))
    return box


def count_blobs(amap, rect, inner, threshold=DOT_ALPHA):
    """Connected regions (8-neighbour) of alpha > threshold (cores) in `amap` (covering
    `rect`, image px) whose alpha-weighted centre lies in `inner` (x0, y0, x1, y1).
    Returns (count, list of centres)."""
    x0, y0, w, h = rect
    seen = bytearray(w * h)
    centres = []
    for y in range(h):
        row = amap[y]
        for x in range(w):
            if row[x] <= threshold or seen[y * w + x]:
                continue
            stack = [(x, y)]
            seen[y * w + x] = 1
            sw = sx = sy = 0.0
            while stack:
                cx, cy = stack.pop()
                a = amap[cy][cx]
                sw += a
                sx += a * cx
                sy += a * cy
                for dy in (-1, 0, 1):
                    ny = cy + dy
                    if ny < 0 or ny >= h:
                        continue
                    nrow = amap[ny]
                    for dx in (-1, 0, 1):
                        nx = cx + dx
                        if 0 <= nx < w and not seen[ny * w + nx] and nrow[nx] > threshold:
                            seen[ny * w + nx] = 1
                            stack.append((nx, ny))
            centres.append((x0 + sx / sw + 0.5, y0 + sy / sw + 0.5))
    ix0, iy0, ix1, iy1 = inner
    inside = [c for c in centres if ix0 <= c[0] < ix1 and iy0 <= c[1] < iy1]
    return len(inside), inside


def selection_floats(img, rect):
    return array.array("f", read(img.get_selection(), "Y float", rect))


def layer_mean(drawable, fmt, n, min_alpha=0.5):
    """Mean colour (n channels of fmt, which must end with alpha) over pixels
    with alpha >= min_alpha; None when there are none."""
    data = array.array("f", read(drawable, fmt))
    stride = n + 1
    sums = [0.0] * n
    count = 0
    for i in range(0, len(data), stride):
        if data[i + n] >= min_alpha:
            for k in range(n):
                sums[k] += data[i + k]
            count += 1
    if not count:
        return None
    return [s / count for s in sums]
