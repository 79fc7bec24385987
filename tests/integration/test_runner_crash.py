# test_runner_crash.py: the runner's answer to a crash of GIMP itself. The test
# kills GIMP with SIGSEGV: once (SMP_CRASH=once, then passes) or every time (always).
import os
import signal
import time

from smp_testlib import *


def parent(pid):
    """The parent process id of `pid`, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


# This script runs in GIMP's Python plug-in; its parent is GIMP, GIMP's parent
# the runner. The marker holds the runner's pid: present, this is its second run.
gimp = os.getppid()
runner = parent(gimp)
marker = os.environ["SMP_CRASH_MARKER"]
try:
    with open(marker) as f:
        seen = int(f.read() or 0)
except (FileNotFoundError, ValueError):
    seen = 0
mode = os.environ.get("SMP_CRASH", "once")
if mode == "always" or seen != runner:
    with open(marker, "w") as f:
        f.write(str(runner))
    print(f"INFO crashing GIMP (pid {gimp}; runner {runner})", flush=True)
    os.kill(gimp, signal.SIGSEGV)
    time.sleep(30)
    check(False, "GIMP is still there 30 s after SIGSEGV")
else:
    os.unlink(marker)
    check(True, "second run of one runner after GIMP crashed in the first", f"runner {runner}")
finish()
