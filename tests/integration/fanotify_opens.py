# fanotify_opens.py: which files a set of processes opens, reported by the kernel
# (fanotify FAN_OPEN on the mounts given), with no preloaded library or tracer
# in the watched process. Needs CAP_SYS_ADMIN (the build root runs as root);
# OpenWatch.start() returns False where that is not available.
import ctypes
import os
import select
import struct
import threading

FAN_CLASS_NOTIF, FAN_CLOEXEC, FAN_NONBLOCK = 0, 1, 2
FAN_OPEN = 0x20
FAN_MARK_ADD, FAN_MARK_MOUNT = 0x1, 0x10
AT_FDCWD = -100
EVENT = struct.Struct("IBBHQii")  # event_len, vers, reserved, metadata_len, mask, fd, pid


class OpenWatch(threading.Thread):
    """Records (path) for every open by a process whose executable is `exe`."""

    def __init__(self, exe, mounts=("/",)):
        super().__init__(daemon=True)
        self.exe = os.path.realpath(exe)
        self.mounts = mounts
        self.opened = []
        self.error = ""
        self._stop = threading.Event()
        self.fd = -1

    def start(self):
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, os.O_RDONLY | os.O_LARGEFILE)
        if self.fd < 0:
            self.error = "fanotify_init: " + os.strerror(ctypes.get_errno())
            return False
        for m in self.mounts:
            if libc.fanotify_mark(self.fd, FAN_MARK_ADD | FAN_MARK_MOUNT, ctypes.c_uint64(FAN_OPEN),
                                  AT_FDCWD, m.encode()) != 0:
                self.error = f"fanotify_mark {m}: " + os.strerror(ctypes.get_errno())
                os.close(self.fd)
                return False
        super().start()
        return True

    def run(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                self._drain()
        self._drain()

    def _drain(self):
        while True:
            try:
                buf = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            off = 0
            while off + EVENT.size <= len(buf):
                ev_len, _, _, _, _, efd, pid = EVENT.unpack_from(buf, off)
                if efd >= 0:
                    try:
                        path = os.readlink(f"/proc/self/fd/{efd}")
                        exe = os.path.realpath(f"/proc/{pid}/exe")
                    except OSError:
                        path = exe = ""
                    os.close(efd)
                    if exe == self.exe:
                        self.opened.append(path)
                off += ev_len

    def stop(self):
        self._stop.set()
        self.join(5)
        os.close(self.fd)
        return self.opened
