# gui_server.py: the GIMP side of gui_harness.py, run by GIMP 3 (gimp-3.x) as a
# python-fu-eval batch script: executes command files the harness drops, in one
# namespace, and answers each with a JSON file, until told to STOP.
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.environ["SMP_TEST_LIB"])
COMMANDS = os.environ["SMP_GUI_COMMANDS"]

namespace = {"__name__": "smp_gui"}
exec("from smp_testlib import *", namespace)


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


with open(os.path.join(COMMANDS, "ready"), "w") as f:
    f.write("ready\n")

n = 0
while not namespace.get("STOP"):
    path = os.path.join(COMMANDS, f"{n}.py")
    if not os.path.exists(path):
        # Sleeping here keeps GIMP's own main loop (the GUI) running.
        time.sleep(0.05)
        continue
    with open(path) as f:
        code = f.read()
    namespace.pop("result", None)
    try:
        exec(compile(code, f"<gui command {n}>", "exec"), namespace)
        reply = {"ok": True, "result": _jsonable(namespace.get("result"))}
    except Exception:
        reply = {"ok": False, "error": traceback.format_exc()}
    out = os.path.join(COMMANDS, f"{n}.json")
    with open(out + ".tmp", "w") as f:
        json.dump(reply, f)
    os.rename(out + ".tmp", out)
    n += 1
