# test_seed.py: a seed fixes the design: the same seed gives bit-identical
# session layers (in another image too, in another process); another seed gives other dots.
import shutil

from smp_testlib import *

ARGS = dict(px_per_mm=12.0, density=75.0, sessions=3)
D = "M 0 260 C 120 230 280 290 400 250"


def layer_hashes(img):
    return [pixel_hash(l) for l in session_layers(proposal_groups(img)[0])]


img_a, photo_a = new_image(400, 320)
add_path(img_a, D)
img_b, photo_b = new_image(400, 320)
add_path(img_b, D)

status_a, msg_a = run_hairline(img_a, photo_a, seed=1234, **ARGS)
status_b, msg_b = run_hairline(img_b, photo_b, seed=1234, **ARGS)
check(status_a == SUCCESS and status_b == SUCCESS, "both runs succeed", msg_a or msg_b)
ha, hb = layer_hashes(img_a), layer_hashes(img_b)
check(len(ha) == 3 and ha == hb, "same seed, two images: identical layers")

# Again on the same image: a second group, identical to the first.
status, msg = run_hairline(img_a, photo_a, seed=1234, **ARGS)
groups = proposal_groups(img_a)
check(status == SUCCESS and len(groups) == 2, "second run adds a second group", (msg, [(d, l.get_name()) for d, l in walk(img_a)]))
if len(groups) == 2:
    h1 = [pixel_hash(l) for l in session_layers(groups[0])]
    h2 = [pixel_hash(l) for l in session_layers(groups[1])]
    check(h1 == h2, "same seed, same image: identical layers")

# Another seed: other dots (the check above could fail).
img_c, photo_c = new_image(400, 320)
add_path(img_c, D)
status, msg = run_hairline(img_c, photo_c, seed=4321, **ARGS)
hc = layer_hashes(img_c) if status == SUCCESS else []
check(status == SUCCESS and all(x != y for x, y in zip(ha, hc)), "another seed: different layers")

# Shine read off an 8-bit photo with alpha: the same layers from plug-in
# processes that each choose babl's conversion paths afresh (any cache of chosen
# paths removed first). babl times its candidate paths: in a standalone program
# 4 of 20 fresh processes converted R'G'B'A u8 to RGB float through another
# path, with other floats; the plug-in keeps babl on exact paths (its main()).
# Without that, three processes here differed in 1 of 4 test runs (five are run).
def shiny_run(shine):
    shutil.rmtree(os.path.join(GLib.get_user_cache_dir(), "babl"), ignore_errors=True)
    img, photo = new_image(400, 320)
    photo.add_alpha()
    add_path(img, D)
    w, h = 200, 120  # a bright, whitish patch behind the line
    data = bytearray()
    for y in range(h):
        for x in range(w):
            t = (x * 5 + y * 3) % 23
            data += bytes((226 + t, 220 + t, 212 + t))
    buf = photo.get_buffer()
    buf.set(Gegl.Rectangle.new(100, 40, w, h), "R'G'B' u8", bytes(data))  # alpha stays opaque
    buf.flush()
    photo.update(0, 0, 400, 320)
    status, msg = run_hairline(img, photo, seed=99, shine=shine, **ARGS)
    check(status == SUCCESS, f"shine={shine}: run succeeds", msg)
    return layer_hashes(img) if status == SUCCESS else []


shiny = [shiny_run(True) for _ in range(5)]
plain = shiny_run(False)
check(len(shiny[0]) == 3 and all(h == shiny[0] for h in shiny),
      "shine on an 8-bit RGBA photo, five plug-in processes: identical layers",
      f"{len(set(map(tuple, shiny)))} different outcomes")
check(all(a != b for a, b in zip(shiny[0], plain)), "the shine correction was in play (without it the layers differ)")

finish()
