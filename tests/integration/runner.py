#!/usr/bin/env python3
# runner.py: runs one integration test script inside headless GIMP 3 with a
# private profile holding the freshly built plug-in; judges its PASS/FAIL lines.
"""Usage: runner.py --plugin EXE --patterns DIR --work DIR [--timeout S] [--env K=V] TEST.py

Makes (once per build folder, under a lock) a profile template that has already
queried GIMP's own plug-ins, copies it per test, installs the plug-in as
plug-ins/smp-hairline/smp-hairline with patterns/ beside it, then runs

    GIMP_CONSOLE -i -d -f --batch-interpreter=python-fu-eval -b "..." --quit

GIMP_CONSOLE is $SMP_GIMP_CONSOLE (meson sets it to what it found), else
$GIMP_CONSOLE, else the first installed of gimp-console-3 (GIMP 3.2 and later),
gimp-console-3.2, gimp-console-3.0. When none is there the test FAILS: a suite
that cannot find GIMP must not pass or skip.

The test fails on a non-zero exit, on any line starting with FAIL, or when no
line starts with PASS. A line "SKIP <why>" alone (no FAIL) gives exit 77. When GIMP
itself dies of a fatal signal (its backtrace printed), the test runs once more in a
fresh profile and the second run decides.
Also importable: the GUI harness reuses make_profile()."""

import argparse
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONSOLE_NAMES = ("gimp-console-3", "gimp-console-3.2", "gimp-console-3.0")


def find_gimp(env_names, names):
    """The GIMP executable to run: the first non-empty environment variable of
    `env_names`, else the first of `names` on PATH; None when there is none."""
    for var in env_names:
        value = os.environ.get(var, "")
        if value:
            return value
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


GIMP_CONSOLE = find_gimp(("SMP_GIMP_CONSOLE", "GIMP_CONSOLE"), CONSOLE_NAMES)


def gimp_env(profile, home, extra=None):
    env = dict(os.environ)
    env.update({
        "GIMP3_DIRECTORY": profile,
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "NO_AT_BRIDGE": "1",
        # Keep __pycache__ out of the source tree (the helpers are imported from it).
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    if extra:
        env.update(extra)
    return env


def _make_template(template):
    """A profile in which GIMP has queried every shipped plug-in once: copying
    it saves each test the slow first start."""
    tmp = template + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    profile = os.path.join(tmp, "profile")
    home = os.path.join(tmp, "home")
    os.makedirs(profile)
    os.makedirs(home)
    subprocess.run([GIMP_CONSOLE, "-i", "-d", "-f", "--batch-interpreter=python-fu-eval",
                    "-b", "print('template ready')", "--quit"],
                   env=gimp_env(profile, home), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=600, check=False)
    if not os.path.exists(os.path.join(profile, "pluginrc")):
        raise RuntimeError("GIMP did not make a profile in " + profile)
    shutil.rmtree(template, ignore_errors=True)
    os.rename(profile, template)
    shutil.rmtree(tmp, ignore_errors=True)


def make_profile(work, plugin, patterns, extra_plugins=()):
    """A fresh private profile (and scratch HOME) under `work` with the plug-in
    (and any extra plug-ins, e.g. the benchmark's floor writer) installed.
    Returns (profile, home, scratch_dir)."""
    os.makedirs(work, exist_ok=True)
    template = os.path.join(work, "profile-template")
    with open(os.path.join(work, "profile-template.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(os.path.join(template, "pluginrc")):
            _make_template(template)
    scratch = tempfile.mkdtemp(prefix="smp-test-", dir=work)
    profile = os.path.join(scratch, "profile")
    home = os.path.join(scratch, "home")
    shutil.copytree(template, profile, symlinks=True)
    os.makedirs(home)
    dest = os.path.join(profile, "plug-ins", "smp-hairline")
    os.makedirs(dest, exist_ok=True)
    # GIMP starts a wrapper that runs the real plug-in under /usr/bin/time, which
    # appends each process's peak resident memory to memory-report.txt: memory is
    # measured from outside, with no hook in the plug-in. The real binary lives
    # outside plug-ins/ (GIMP would register any executable there) beside its own
    # patterns/, where it looks for them.
    real_dir = os.path.join(scratch, "plug-in")
    os.makedirs(real_dir)
    real = os.path.join(real_dir, "smp-hairline")
    shutil.copy2(plugin, real)
    report = os.path.join(scratch, "memory-report.txt")
    wrapper = os.path.join(dest, "smp-hairline")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nexec /usr/bin/time -a -o {report!r} -f 'peak_kb %M' {real!r} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    if patterns and os.path.isdir(patterns):
        for folder in (dest, real_dir):
            shutil.copytree(patterns, os.path.join(folder, "patterns"), symlinks=False,
                            ignore=shutil.ignore_patterns("meson.build"))
    for extra in extra_plugins:
        name = os.path.basename(extra)
        os.makedirs(os.path.join(profile, "plug-ins", name), exist_ok=True)
        shutil.copy2(extra, os.path.join(profile, "plug-ins", name, name))
    # The built catalogs (po/<ll>/LC_MESSAGES/smp-hairline.mo) as locale/, where
    # GIMP's default i18n scheme looks: beside the binary.
    locale = os.environ.get("SMP_LOCALE_DIR", "")
    if locale and os.path.isdir(locale):
        for lang in sorted(os.listdir(locale)):
            src = os.path.join(locale, lang, "LC_MESSAGES")
            if not os.path.isdir(src):
                continue
            for folder in (dest, real_dir):
                out = os.path.join(folder, "locale", lang, "LC_MESSAGES")
                os.makedirs(out, exist_ok=True)
                for mo in os.listdir(src):
                    if mo.endswith(".mo"):
                        shutil.copy2(os.path.join(src, mo), out)
    return profile, home, scratch


def ui_locale(scratch):
    """Environment that makes LANGUAGE count. glibc ignores LANGUAGE under the C
    and C.UTF-8 locales, and the build roots have no other: a copy of C.UTF-8
    under another name (LOCPATH) is a UTF-8 locale that gettext obeys, as a real
    one (de_DE.UTF-8) does on an artist's system."""
    for src in ("/usr/lib/locale/C.utf8", "/usr/lib/locale/C.UTF-8"):
        if os.path.isdir(src):
            root = os.path.join(scratch, "locales")
            shutil.copytree(src, os.path.join(root, "smp.utf8"))
            return {"LOCPATH": root, "LC_ALL": "smp.UTF-8", "LANG": "smp.UTF-8"}
    print("INFO no C.UTF-8 locale to copy: LANGUAGE may be ignored")
    return {}


def judge(output, rc):
    """0 pass, 77 skip, 1 fail (with the reason printed)."""
    lines = output.splitlines()
    fails = [l for l in lines if l.startswith("FAIL")]
    passes = [l for l in lines if l.startswith("PASS")]
    skips = [l for l in lines if l.startswith("SKIP")]
    if rc != 0:
        print(f"runner: GIMP exited with status {rc}")
        return 1
    # A sanitized plug-in's report (ASan, UBSan) fails the test even if GIMP
    # carried on after the plug-in died.
    reports = [l for l in lines if "ERROR: AddressSanitizer" in l or "runtime error:" in l
               or "ERROR: LeakSanitizer" in l]
    if reports:
        print(f"runner: sanitizer report: {reports[0]}")
        return 1
    if fails:
        print(f"runner: {len(fails)} FAIL line(s)")
        return 1
    if skips and not passes:
        return 77
    if not passes:
        print("runner: no PASS line")
        return 1
    print(f"runner: {len(passes)} PASS line(s)")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--patterns", default="")
    ap.add_argument("--extra-plugin", action="append", default=[],
                    help="another plug-in executable for this test's profile only")
    ap.add_argument("--work", required=True)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--keep", action="store_true", help="keep the scratch profile")
    ap.add_argument("--env", action="append", default=[], help="K=V for GIMP and the plug-in")
    ap.add_argument("test")
    args = ap.parse_args()

    if GIMP_CONSOLE is None or shutil.which(GIMP_CONSOLE) is None:
        print(f"FAIL no GIMP console executable: {GIMP_CONSOLE or ', '.join(CONSOLE_NAMES)} "
              "not found (install GIMP 3, or set SMP_GIMP_CONSOLE)")
        return 1

    work = os.path.abspath(args.work)
    test = os.path.abspath(args.test)
    # The test runs inside GIMP's Python; the helpers come from this folder.
    code = (f"import sys; sys.path.insert(0, {HERE!r}); "
            f"__file__ = {test!r}; exec(compile(open({test!r}).read(), {test!r}, 'exec'))")
    # --stack-trace-mode=always: should GIMP itself crash, it prints the faulting
    # thread's backtrace (no debugger needed) before it exits.
    cmd = [GIMP_CONSOLE, "-i", "-d", "-f", "--stack-trace-mode=always",
           "--batch-interpreter=python-fu-eval", "-b", code, "--quit"]

    def attempt():
        """One run of the test in a fresh profile: (status, output)."""
        profile, home, scratch = make_profile(work, os.path.abspath(args.plugin),
                                              os.path.abspath(args.patterns) if args.patterns else "",
                                              [os.path.abspath(p) for p in args.extra_plugin])
        extra = dict(kv.split("=", 1) for kv in args.env)
        extra["SMP_TEST_SCRATCH"] = scratch
        if "LANGUAGE" in extra and "LC_ALL" not in extra:
            extra.update(ui_locale(scratch))
        # The wrapper appends each plug-in process's peak memory here.
        extra.setdefault("SMP_PLUGIN_MEMORY_REPORT", os.path.join(scratch, "memory-report.txt"))
        extra["SMP_TEST_LIB"] = HERE
        output, rc = run_gimp(cmd, gimp_env(profile, home, extra), args.timeout)
        sys.stdout.write(output)
        status = judge(output, rc)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        return status, output

    status, output = attempt()
    if status == 1 and gimp_crashed(output):
        # GIMP 3.0.4's core crashed (SIGSEGV) once in a CI run, in a test that then
        # passed 30 times here, 3 at a time. A crash of GIMP itself, not of the
        # plug-in, is run once more: a crash that repeats still fails, and the first
        # one stays in the log with its backtrace.
        print("runner: GIMP itself crashed (its backtrace is above); running the test "
              "once more in a fresh profile")
        status, output = attempt()
        print(f"runner: the second run {'passed' if status == 0 else 'did not pass'} "
              "(GIMP crashed in the first)")
    return status


def run_gimp(cmd, env, timeout):
    """GIMP's combined output and exit status (124 and a FAIL line on timeout)."""
    # Its own session, so that a timeout also ends GIMP's plug-in processes.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace", start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
        return output, proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        return (output or "") + f"\nFAIL timeout after {timeout} s\n", 124


def gimp_crashed(output):
    """Whether GIMP's own process (not a plug-in) died of a fatal signal."""
    return any(re.match(r"\S*gimp-console[-0-9.]*: fatal error: ", l)
               for l in output.splitlines())


if __name__ == "__main__":
    sys.exit(main())
