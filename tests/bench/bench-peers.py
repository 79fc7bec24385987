#!/usr/bin/env python3
# bench-peers.py: the engine against G'MIC and GEGL like for like: the same 16-bit density map,
# each pipeline one whole process (read, place, render, composite over a flat photo, write 8-bit).
"""Usage: bench-peers.py --pipeline SMP_BENCH_PIPELINE --work DIR [--rounds N] [--map MAP.pgm]

The sides run in turn, round after round, so the machine's load falls on all of them alike;
min/median/max wall and CPU (user+sys) seconds per side, and the per-round wall ratio to the
engine. Without --map, the README's 6000x4000 map is made with gmic (kept in DIR).
Exit 77 (skip) without gmic or gegl."""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

MAP_MASK = ("6000,4000,1,1,\"yh=1400+250*sin(x/900)+60*sin(x/137); d=y<yh?1:max(0,1-(y-yh)/600)^1.5; "
            "ins=sqr((x-3000)/2700)+sqr((y-1200)/1500)<1; round(255*d*ins)\"")

GEGL_XML = """<?xml version='1.0' encoding='UTF-8'?>
<gegl>
  <node operation='gegl:channel-mixer'><params>
    <param name='rr-gain'>0.862</param><param name='rg-gain'>0</param><param name='rb-gain'>0</param>
    <param name='gr-gain'>0.667</param><param name='gg-gain'>0</param><param name='gb-gain'>0</param>
    <param name='br-gain'>0.549</param><param name='bg-gain'>0</param><param name='bb-gain'>0</param></params></node>
  <node operation='gegl:levels'><params><param name='out-low'>0.35</param></params></node>
  <node operation='gegl:median-blur'><params><param name='radius'>2</param><param name='percentile'>0</param>
    <param name='neighborhood'>circle</param></params></node>
  <node operation='gegl:dither'><params><param name='red-levels'>2</param><param name='green-levels'>2</param>
    <param name='blue-levels'>2</param><param name='dither-method'>blue-noise</param></params></node>
  <node operation='gegl:cast-format'><params><param name='input-format'>Y' u16</param>
    <param name='output-format'>Y u16</param></params></node>
  <node operation='gegl:load'><params><param name='path'>{map}</param></params></node>
</gegl>"""


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def make_map(work):
    path = os.path.join(work, "dens16.pgm")
    if not os.path.exists(path):
        mask = os.path.join(work, "mask.pgm")
        subprocess.run(f"gmic -v - {MAP_MASK} -o {mask}", shell=True, check=True)
        subprocess.run(["gmic", "-v", "-", mask, "f", "65535*(1-i/255/16)", "-o", path + ",ushort"], check=True)
    return path


def run(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=900)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({r.returncode}): {r.stderr.strip()[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def spread(v):
    return f"min {min(v):.3f} / median {statistics.median(v):.3f} / max {max(v):.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipeline", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--map")
    a = ap.parse_args()
    if not shutil.which("gmic") or not shutil.which("gegl"):
        print("gmic or gegl not found: no peer figures")
        return 77
    os.makedirs(a.work, exist_ok=True)
    work = os.path.abspath(a.work)
    mp = os.path.abspath(a.map) if a.map else make_map(work)
    sides = [
        ("engine", [os.path.abspath(a.pipeline), mp, "out-smp.ppm"],
         "smp-bench-pipeline: reads the 16-bit map, places blue-noise impressions by rank threshold (10 px/mm, "
         "0.25 mm: 2.5 px), renders each as a sub-pixel anti-aliased core with jitter, tone and a wide shadow "
         "(RGBA u8 Multiply layer, 256-row chunks, one per core at a time), multiplies it over a flat skin photo, "
         "writes an 8-bit PPM (chunks in order)"),
        ("gmic", ["gmic", "-v", "-", mp, "f", "u(0,1)<(1-i/65535)", "dilate_circ", "5", "f", "i?0.35:1",
                  "r", "100%,100%,1,3", "f", "[220,170,140]*i", "-o", "out-gmic.ppm,uchar"],
         "G'MIC: reads the map, white-noise threshold per pixel for the same dot probability, stamps a 5 px "
         "disc (dilate_circ 5) at whole pixels, multiplies a flat skin colour, writes an 8-bit PPM"),
        ("gegl", ["gegl", "-x", GEGL_XML.format(map=mp), "-o", "out-gegl.ppm"],
         "GEGL: reads the map, its values cast to linear (GEGL dithers in linear light: the same dot "
         "probability), blue-noise dither to 2 levels, a 5 px disc min filter (median-blur radius 2, "
         "percentile 0), levels and a channel mix (from red) for a flat skin colour, writes a PPM "
         "(its CLI's ppm-save writes 16 bits a channel: twice the engine's output bytes)"),
    ]
    with open(mp, "rb") as f:
        head = f.read(32).split()
    print(f"peers: map {mp} ({int(head[1])}x{int(head[2])} 16-bit), {a.rounds} rounds taken in turn, "
          f"load {load()} at the start", flush=True)
    for name, _, what in sides:
        print(f"peers: {name}: {what}", flush=True)
    walls = {n: [] for n, _, _ in sides}
    cpus = {n: [] for n, _, _ in sides}
    for _ in range(a.rounds):
        for name, cmd, _ in sides:
            w, c = run(cmd, work)
            walls[name].append(w)
            cpus[name].append(c)
    for name, _, _ in sides:
        print(f"peers: {name:<6} wall s {spread(walls[name])};  CPU s {spread(cpus[name])}", flush=True)
    for name in ("gmic", "gegl"):
        ratios = [p / e for p, e in zip(walls[name], walls["engine"])]
        cr = [p / e for p, e in zip(cpus[name], cpus["engine"])]
        print(f"peers: {name} / engine, per round: wall {spread(ratios)}x;  CPU {spread(cr)}x", flush=True)
    print(f"peers: load {load()} at the end", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
