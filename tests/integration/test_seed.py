# test_seed.py: a seed fixes the design: the same seed gives bit-identical
# session layers (in another image too); another seed gives other dots.
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

finish()
