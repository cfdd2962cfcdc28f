"""The sandbox every learner's kernel runs in while it is graded.

nbgrader starts one kernel per notebook through ``Execute.kernel_name``; the cohort grader points
that at a kernel spec whose command is this module (``--cold``) or ``autograder/warm.py`` (the
default: kernels forked from a template that runs in this same sandbox, ``autograder/zygote.py``).
The cold command runs as the grading user, outside the sandbox, and replaces itself with
(outermost first):

``timeout -s KILL``   wall-clock limit for the whole notebook (the per-cell limit is nbgrader's
                      ``Execute.timeout``)
``bwrap``             new PID, network, IPC and UTS namespaces (no network at all); a file
                      system built from a whitelist: the system's programs, libraries and ``/etc``,
                      the Python installation and venv, and the course's ``coursekit/`` and
                      ``data/``, all read-only. Nothing else exists inside: not ``solutions/``, not
                      the grading output (gradebooks, other learners), not the submissions, not the
                      home folder or another checkout of the course. A private ``/tmp``; only the
                      notebook's own folder and the kernel's socket folder writable, and the
                      autograded notebook itself (it holds the restored hidden tests) unreadable;
                      the namespace dies with its parent
``prlimit``           address space (memory), CPU seconds, process count, open files, file size
``setpriv``           an unprivileged uid of its own per worker (process counts are per uid, so a
                      fork bomb in one sandbox cannot starve another), no groups, no capabilities,
                      no new privileges
``python -m ipykernel_launcher``  with ``JPY_PARENT_PID`` unset (the parent is not visible
                      from inside the PID namespace); it talks to nbgrader over ``ipc`` sockets in
                      a per-worker folder, because there is no network namespace to share.

Where the sandbox cannot be built (not Linux, not root, no bwrap), :func:`probe` says why and
the cohort grader prints a loud warning and grades with an ordinary kernel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.course import REPO

FIRST_UID = 61000  # worker k runs its kernels as uid FIRST_UID + k (no such user needs to exist)


@dataclass
class Limits:
    memory_mb: int = 3072          # address space of the kernel and each of its processes
    cpu_seconds: int = 900          # CPU time per process
    processes: int = 256            # processes + threads of the sandbox uid
    notebook_seconds: int = 900     # wall clock for a whole notebook
    file_mb: int = 256              # largest file the kernel may write
    open_files: int = 256


@dataclass
class SandboxSpec:
    worker_dir: str                 # sockets and the kernel's connection file (writable inside)
    uid: int
    hidden: list[str] = field(default_factory=list)   # folders replaced by an empty tmpfs
    limits: Limits = field(default_factory=Limits)


def probe() -> str | None:
    """None when the sandbox can be built here, else why not (for the loud warning)."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (this is {sys.platform})"
    if os.geteuid() != 0:
        return "the sandbox needs root to switch each kernel to an unprivileged uid (run as root)"
    missing = [tool for tool in ("bwrap", "prlimit", "setpriv", "timeout") if not shutil.which(tool)]
    if missing:
        return f"missing {', '.join(missing)} (Debian: apt-get install bubblewrap util-linux coreutils)"
    return None


def write_kernelspec(kernels_dir: Path, name: str, spec: SandboxSpec) -> None:
    """A Jupyter kernel spec ``name`` whose kernels start inside the sandbox ``spec``."""
    folder = kernels_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sandbox.json").write_text(json.dumps(asdict(spec)))
    kernel = {
        "argv": [sys.executable, "-m", "autograder.sandbox", str(folder / "sandbox.json"), "{connection_file}"],
        "display_name": f"Python 3 (grading sandbox {name})",
        "language": "python",
        # A signal would reach `timeout`, not the kernel: interrupt over the control channel.
        "interrupt_mode": "message",
        "env": {"PYTHONPATH": ""},
    }
    (folder / "kernel.json").write_text(json.dumps(kernel, indent=1))


# What a kernel may see besides its own folder: the operating system's programs, libraries and
# configuration, and the course's importable package and data. Nothing else exists inside: not
# solutions/, not the gradebook, not other learners, not another checkout of the course.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
COURSE = (REPO / "coursekit", REPO / "data")


def visible_paths() -> list[Path]:
    """Every tree bound read-only into the sandbox, outermost first, none inside another."""
    python = Path(sys.executable)
    wanted = {*COURSE, Path(sys.prefix).resolve(), python.resolve().parent.parent, Path(sys.base_prefix).resolve()}
    wanted = {p for p in wanted if p.exists()}
    system = [Path(s) for s in SYSTEM]
    outer = [p for p in wanted if not any(p != o and p.is_relative_to(o) for o in [*wanted, *system])]
    return sorted(outer, key=lambda p: (len(p.parts), str(p)))


# Set inside every sandbox: HOME and matplotlib's cache in the private /tmp, one maths thread.
SANDBOX_ENV = {"HOME": "/tmp", "MPLCONFIGDIR": "/tmp/mpl", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}


def masked(spec: SandboxSpec) -> list[str]:
    """The hidden folders that lie inside a visible tree, hidden again by an empty tmpfs (belt and
    braces: none should)."""
    return [h for h in spec.hidden if Path(h).is_dir() and any(Path(h).is_relative_to(p) for p in visible_paths())]


def bwrap(spec: SandboxSpec, writable: list[str], chdir: str, env: dict[str, str] | None = None,
          extra: list[str] = ()) -> list[str]:
    """bwrap's arguments for the sandbox's file system and namespaces (up to its ``--``)."""
    args = [
        "bwrap",
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session",
    ]
    made: set[Path] = {Path("/")}

    def parents_of(path: Path) -> list[str]:
        # bwrap would create missing mount points as 0700 root, unreadable to the kernel's uid.
        found = []
        for parent in reversed(path.parents):
            if parent not in made:
                found += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        return found

    for system in SYSTEM:
        if os.path.islink(system):  # merged /usr: /bin -> usr/bin
            args += ["--symlink", os.readlink(system), system]
        elif os.path.isdir(system):
            args += ["--ro-bind", system, system]
        made.add(Path(system))
    args += ["--dev", "/dev", "--proc", "/proc",
             "--perms", "1777", "--tmpfs", "/tmp", "--perms", "1777", "--tmpfs", "/dev/shm"]
    made.update({Path("/dev"), Path("/proc"), Path("/tmp"), Path("/dev/shm")})
    for path in visible_paths():
        args += parents_of(path) + ["--ro-bind", str(path), str(path)]
        made.add(path)
    for hidden in masked(spec):
        args += ["--tmpfs", hidden]
    for folder in writable:
        args += parents_of(Path(folder)) + ["--bind", folder, folder]
        made.add(Path(folder))
    args += list(extra)
    args += ["--chdir", chdir, "--unsetenv", "JPY_PARENT_PID"]
    for variable, value in {**SANDBOX_ENV, **(env or {})}.items():
        args += ["--setenv", variable, value]
    return args + ["--"]


def prlimit(limits: Limits) -> list[str]:
    """The resource limits, as a command prefix (inherited by everything the sandbox starts)."""
    return [
        "prlimit",
        f"--as={limits.memory_mb * 1024 * 1024}",
        f"--cpu={limits.cpu_seconds}",
        f"--nproc={limits.processes}",
        f"--nofile={limits.open_files}",
        f"--fsize={limits.file_mb * 1024 * 1024}",
        "--core=0",
        "--",
    ]


def command(spec: SandboxSpec, connection_file: str, cwd: str) -> list[str]:
    """The full command line that starts one sandboxed kernel (the cold path)."""
    # The autograded notebook on disk already holds the restored hidden tests: the kernel that runs
    # it must not be able to read it (it only ever needs the cells nbgrader sends it).
    masks = []
    for notebook in sorted(Path(cwd).rglob("*.ipynb")):
        masks += ["--ro-bind", "/dev/null", str(notebook)]
    setpriv = [
        "setpriv", f"--reuid={spec.uid}", f"--regid={spec.uid}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
    ]
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, "--HistoryManager.hist_file=:memory:"]
    # Dies with the grading worker that started it (SIGKILL of a run leaves no kernel behind).
    wall = ["setpriv", "--pdeathsig=KILL", "--", "timeout", "--signal=KILL", str(spec.limits.notebook_seconds)]
    sandbox = bwrap(spec, [cwd, spec.worker_dir], chdir=cwd, extra=masks)
    return wall + sandbox + prlimit(spec.limits) + setpriv + kernel


def processes_of(uid: int) -> list[int]:
    """Every process (zombies included) whose real uid is ``uid``."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        pids.append(int(status.parent.name))
                    break
        except (OSError, ValueError):
            continue
    return pids


def reap(uid: int, wait: float = 20.0) -> list[int]:
    """Kill every process of a sandbox uid and wait until none is left; returns survivors.

    A fork bomb's children outlive its kernel (killing the kernel's process group does not
    reach them), and until they are gone, zombies included, they count against the uid's
    process limit, so the next kernel could not even start a thread. Each worker owns its uid,
    so this touches nothing else. The grading worker is a child subreaper (see worker.py), so
    the orphans' zombies are its children and it collects them here.
    """
    deadline = time.monotonic() + wait
    while True:
        pids = processes_of(uid)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def load_spec(spec_file: str) -> SandboxSpec:
    raw = json.loads(Path(spec_file).read_text())
    return SandboxSpec(**{**raw, "limits": Limits(**raw["limits"])})


def prepare(spec: SandboxSpec, connection_file: str) -> str:
    """Before a kernel starts: nothing left of the previous one, the connection file readable
    inside (returned), and the notebook's own folder (nbgrader's autograded copy, the current
    directory) owned by the sandbox uid: the only place it may write."""
    reap(spec.uid, wait=5)
    inside = Path(spec.worker_dir) / "connection.json"
    shutil.copyfile(connection_file, inside)
    os.chmod(inside, 0o644)
    cwd = os.getcwd()
    for folder in [Path(cwd), *Path(cwd).rglob("*")]:
        os.chown(folder, spec.uid, spec.uid)
    return str(inside)


def kernel_log(spec: SandboxSpec) -> int:
    """The kernel's own chatter (banner, warnings) goes to a log, not the instructor's terminal;
    what learners' code prints reaches the notebook over the kernel's sockets."""
    return os.open(Path(spec.worker_dir) / "kernel.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)


def launch(spec_file: str, connection_file: str) -> None:
    """Kernel spec entry point of the cold path: prepare, then exec the sandbox."""
    spec = load_spec(spec_file)
    argv = command(spec, prepare(spec, connection_file), os.getcwd())
    log = kernel_log(spec)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    launch(sys.argv[1], sys.argv[2])
