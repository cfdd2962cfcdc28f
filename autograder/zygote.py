"""The warm kernel template: runs inside the grading sandbox and forks one kernel per notebook.

Started by ``autograder/warm.py`` as ``python zygote.py <config.json>`` inside the same bwrap
sandbox as a cold kernel (same read-only file system, no network, same resource limits), but as
root inside it, with just the capabilities it needs to confine each child. It imports the
course's heavy modules once (numpy, pandas, scikit-learn, matplotlib, ipywidgets, coursekit,
IPython and ipykernel: most of a cold kernel's start-up), then, for each request on its control
socket, forks a child that becomes an ordinary ipykernel after confining itself:

* a new session, and new mount and IPC namespaces: an empty private ``/tmp`` and ``/dev/shm`` of
  its own, the notebooks in its folder (the autograded copy holds the hidden tests) replaced by
  ``/dev/null``;
* the worker's unprivileged uid, no groups, no capabilities (bounding set, inheritable and
  ambient sets emptied), no new privileges, killed with the zygote;
* the environment nbgrader gave the kernel, numpy's global random state reseeded (Python's
  ``random`` reseeds itself after fork), ``sys.path`` and ``sys.argv`` as ``ipykernel_launcher``
  leaves them.

Nothing of a child flows back: it is a copy-on-write copy of a template that never runs learner
code, so no learner can change what the next one starts from. The zygote kills a child when its
requester hangs up (the kernel manager killed the launcher) or after the notebook's wall-clock
limit. Only the standard library is used before the preload: nothing of ``autograder/`` is
visible inside the sandbox.
"""

import ctypes
import glob
import importlib
import importlib.util
import json
import os
import re
import select
import signal
import socket
import stat
import sys
import threading
import time
import traceback

CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 4, 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
UNUSABLE = 3  # exit status: this machine does not let the template confine its children

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _bytes(value: str | None) -> bytes | None:
    return value.encode() if value is not None else None


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(libc.mount(_bytes(source), _bytes(target), _bytes(fstype), flags, _bytes(data)), f"mount {target}")


def _prctl(option: int, value: int = 0, arg3: int = 0) -> None:
    _check(libc.prctl(option, value, arg3, 0, 0), f"prctl {option}")


def _no_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets (setresuid leaves inheritable)."""
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(libc.capset(header, data), "capset")


def _unescape(field: str) -> str:
    """A path as /proc/self/mountinfo writes it (space, tab, newline and backslash escaped)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _fresh_tmp(control: str) -> None:
    """An empty /tmp for this kernel, with the sandbox's mounts under /tmp (the worker's folders
    live there) bound again on top, read-only where they were: as bwrap built it, minus whatever
    earlier kernels wrote."""
    kept = []
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            fields = line.split()
            point = _unescape(fields[4])
            if point.startswith("/tmp/") and not (point == control or point.startswith(control + "/")):
                kept.append((os.open(point, os.O_PATH), point, "ro" in fields[5].split(",")))
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for fd, point, read_only in kept:
        os.makedirs(os.path.dirname(point), mode=0o755, exist_ok=True)
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.makedirs(point, mode=0o755, exist_ok=True)
        else:
            os.close(os.open(point, os.O_WRONLY | os.O_CREAT, 0o644))
        _mount(f"/proc/self/fd/{fd}", point, None, MS_BIND)
        if read_only:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        os.close(fd)


def _read_request(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("requester hung up")
        data += chunk
        if len(data) > 1 << 20:
            raise ValueError("request too long")
    return json.loads(data)


def _send(conn: socket.socket, message: dict) -> None:
    try:
        conn.sendall(json.dumps(message).encode() + b"\n")
    except OSError:
        pass  # the requester is gone; the child is killed in serve()


def confine(cwd: str, config: dict, log: str | None) -> None:
    """In a child: everything that makes it a sandboxed kernel's process, its folder ``cwd``."""
    os.setsid()
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    _fresh_tmp(os.path.dirname(config["socket"]))
    for notebook in sorted(glob.glob(os.path.join(glob.escape(cwd), "**", "*.ipynb"), recursive=True)):
        _mount("/dev/null", notebook, None, MS_BIND)
        _mount(None, notebook, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV | MS_NOSUID)
    if log is not None:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    uid = config["uid"]
    for capability in range(64):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _no_capabilities()
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_DUMPABLE, 1)  # as a cold kernel: its own /proc/self readable
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after setresuid, which clears it
    if os.getppid() != config["zygote_pid"]:
        os._exit(1)  # the zygote died before PDEATHSIG was set
    os.chdir(cwd)


def self_test(config: dict) -> str | None:
    """None when a child can be confined here, else why not (this machine's kernel or container
    may forbid mounts or namespaces even to root): then this template must not serve."""
    pid = os.fork()
    if pid == 0:
        try:
            confine(config["exchange"], config, log=None)
            if os.getuid() != config["uid"] or os.geteuid() != config["uid"]:
                raise RuntimeError("the confined child still runs as root")
            code = 0
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return None if os.waitstatus_to_exitcode(status) == 0 else "a child could not be confined (see above)"


def become_kernel(request: dict, config: dict) -> None:
    """In the child: confine this process, then run ipykernel as ipykernel_launcher would."""
    confine(request["cwd"], config, log=os.path.join(config["worker_dir"], "kernel.log"))
    os.makedirs(os.environ.get("MPLCONFIGDIR", "/tmp/mpl"), exist_ok=True)
    environment = dict(request["env"])
    environment.pop("JPY_PARENT_PID", None)
    environment.update(config["env"])
    os.environ.clear()
    os.environ.update(environment)
    if "numpy" in sys.modules:  # numpy's global RandomState was seeded once, in the template
        sys.modules["numpy"].random.seed()
    launcher = importlib.util.find_spec("ipykernel_launcher").origin
    sys.argv = [launcher, "-f", request["connection_file"], "--HistoryManager.hist_file=:memory:"]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def serve(conn: socket.socket, server: socket.socket, config: dict) -> None:
    """One request: fork a kernel, report its pid, then its exit; kill it if the requester goes."""
    try:
        request = _read_request(conn)
        cwd = os.path.realpath(request["cwd"])
        if not cwd.startswith(config["exchange"] + os.sep):
            raise ValueError(f"a kernel may only run under {config['exchange']}, not {cwd}")
        request["cwd"] = cwd
    except (ValueError, KeyError, TypeError) as error:
        _send(conn, {"error": str(error)})
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            server.close()
            conn.close()
            become_kernel(request, config)
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _send(conn, {"pid": pid})
    deadline = time.monotonic() + config["notebook_seconds"]
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            ready, _, _ = select.select([conn, pidfd], [], [], max(0.0, deadline - time.monotonic()))
            if pidfd in ready:
                _, status = os.waitpid(pid, 0)
                _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                return
            if conn in ready and conn.recv(4096):
                continue  # nothing more is expected; ignore chatter
            for kill in (os.killpg, os.kill):  # hung up, or out of time: the kernel goes
                try:
                    kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    finally:
        os.close(pidfd)


def main(config_file: str) -> None:
    with open(config_file) as handle:
        config = json.load(handle)
    del sys.path[0]  # this script's folder: a kernel's sys.path is ipykernel_launcher's
    os.chdir("/")
    _prctl(PR_SET_DUMPABLE, 0)  # learners' processes (another uid) cannot read or trace it
    config["zygote_pid"] = os.getpid()
    why = self_test(config)
    if why:
        print(f"unusable: {why}", flush=True)
        sys.exit(UNUSABLE)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(config["socket"])
    server.listen(8)
    # A request that comes during the imports waits in the backlog.
    for module in config["preload"]:
        importlib.import_module(module)
    if threading.active_count() != 1:
        # fork() copies only the calling thread: a thread started by an import would be missing,
        # and the lock it holds stay held, in every kernel.
        raise SystemExit(f"the preload started threads ({threading.enumerate()}); not a safe template")
    print(f"ready: {len(sys.modules)} modules in {time.process_time():.1f} s of CPU", flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            serve(conn, server, config)


if __name__ == "__main__":
    main(sys.argv[1])
