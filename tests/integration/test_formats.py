# test_formats.py: the output follows the image's own precision and base type
# (GRAYA on grey), the shade lands in the right encoding, every precision gives
# the same dots, and a layer with offsets is handled in its own coordinates.
from smp_testlib import *

P = Gimp.Precision
W, H, LINE_Y, PX_PER_MM = 400, 300, 220, 10.0
SHADE = "#404040"            # 0.251 in R'G'B' (sRGB TRC), 0.051 linear
SHADE_NONLINEAR = 0x40 / 255

cases = [
    ("rgb", P.U8_NON_LINEAR), ("rgb", P.U8_LINEAR), ("rgb", P.U16_NON_LINEAR),
    ("rgb", P.U16_LINEAR), ("rgb", P.HALF_LINEAR), ("rgb", P.FLOAT_LINEAR),
    ("rgb", P.FLOAT_NON_LINEAR), ("rgb", P.U32_LINEAR), ("rgb", P.DOUBLE_LINEAR),
    ("gray", P.U8_NON_LINEAR), ("gray", P.U16_LINEAR), ("gray", P.FLOAT_LINEAR),
]

reference = {}
colour_reference = None
for base, precision in cases:
    label = f"{base} {precision.value_nick}"
    img, photo = new_image(W, H, base=base, precision=precision)
    add_path(img, f"M 0 {LINE_Y} C 150 {LINE_Y - 20} 250 {LINE_Y + 20} {W} {LINE_Y}")
    before = pixel_hash(photo)
    status, message = run_hairline(img, photo, px_per_mm=PX_PER_MM, shade=SHADE, seed=5)
    if not check(status == SUCCESS, f"{label}: run succeeds", message):
        continue
    check(img.get_precision() == precision and img.get_base_type() ==
          (Gimp.ImageBaseType.GRAY if base == "gray" else Gimp.ImageBaseType.RGB),
          f"{label}: image mode unchanged")
    layers = session_layers(proposal_groups(img)[0])
    want_type = Gimp.ImageType.GRAYA_IMAGE if base == "gray" else Gimp.ImageType.RGBA_IMAGE
    check(all(l.type() == want_type for l in layers), f"{label}: layers are {want_type.value_nick}",
          [l.type().value_nick for l in layers])
    # The layer's pixels, read back in R'G'B': the colour (a per-channel
    # transmittance, docs/optics.md) must survive every encoding; grey layers
    # hold all their darkening in alpha over black.
    fmt, n = ("Y'A float", 1) if base == "gray" else ("R'G'B'A float", 3)
    means = [layer_mean(l, fmt, n, min_alpha=0.3) for l in layers]
    if base == "gray":
        ok = all(m is not None and abs(m[0]) < 0.02 for m in means)
    else:
        if colour_reference is None:
            colour_reference = means
        ok = all(m is not None and r is not None and all(abs(c - d) < 0.03 for c, d in zip(m, r))
                 for m, r in zip(means, colour_reference))
    check(ok, f"{label}: dots carry the same colour in every encoding",
          [[round(c, 3) for c in m] if m else None for m in means])
    # Same design, same darkening in every precision (up to rounding; grey
    # layers carry the luminance darkening, RGB ones the darkest channel's).
    total_alpha = sum(sum(alpha_floats(l)) for l in layers)
    key = base
    if key not in reference:
        reference[key] = total_alpha
    check(abs(total_alpha - reference[key]) <= 0.01 * reference[key],
          f"{label}: same dots as {base} u8", f"alpha sum {total_alpha:.1f} vs {reference[key]:.1f}")
    check(pixel_hash(photo) == before, f"{label}: photo unchanged")

# A layer smaller than the image, with offsets: the path is in image
# coordinates; dots stay on the layer and behind the line where it really is.
img, photo = new_image(600, 500, layer_rect=(150, 100, 300, 250))
add_path(img, "M 0 300 L 600 300")
status, message = run_hairline(img, photo, px_per_mm=PX_PER_MM, sentinel_depth=2.0)
check(status == SUCCESS, "offset layer: run succeeds", message)
group = proposal_groups(img)[0]
layers = session_layers(group)
box = layer_bounds_alpha(layers)
info(f"offset layer: dots span {box}")
check(box and box[0] >= 150 and box[1] >= 100 and box[2] <= 450, "offset layer: dots on the layer", box)
reach = 2.0 * PX_PER_MM + 0.25 * PX_PER_MM * 1.2 / 2 * 1.4 + 2.5
check(box and box[3] <= 300 + reach, "offset layer: nothing beyond the sentinel zone",
      f"{box[3] if box else None} vs {300 + reach:.1f}")
check(box and box[3] > 290 and box[1] <= 110 and box[0] <= 160 and box[2] >= 440,
      "offset layer: dots fill the layer's scalp side", box)
names = [l.get_name() for l in img.get_layers()]
check(names == [GROUP_NAME, "Client photo"], "offset layer: group above it", names)

finish()
