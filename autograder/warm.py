"""Warm kernels: each grading worker keeps a kernel template and forks every notebook's kernel
from it, instead of paying a new interpreter and the course's imports per submission.

The template (``autograder/zygote.py``) runs in the same sandbox as a cold kernel, started by the
worker; nbgrader still starts, talks to and shuts down each kernel through its kernel manager. The
kernel spec's command is this module (``launch``), run outside the sandbox like the cold path's:
it prepares the kernel exactly as the cold path does (``sandbox.prepare``), asks the template for
a kernel on its control socket and lives as long as that kernel, so the kernel manager's
"is it alive" and "kill it" reach the kernel. Should the template be unreachable (it died, or is
in a bad state), the launcher starts a cold kernel instead and the worker replaces the template
before its next submission: a submission never depends on the template's health.

The worker side: ``Zygote(spec, folder)``, ``start()``, ``alive()``, ``stop()`` and
``write_kernelspec()``. A notebook's kernel may only run in ``exchange``, the one folder of the
worker it shares with the template, where the worker puts nbgrader's autograded copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from autograder import sandbox
from autograder.course import REPO
from autograder.zygote import UNUSABLE

ZYGOTE = Path(__file__).with_name("zygote.py")

# What every course notebook imports, and most of a cold kernel's start-up. Only imports without
# side effects a learner could tell apart: not sklearn.experimental's enable_* modules, which
# change scikit-learn's namespace and must stay the learner's own import.
PRELOAD = (
    "numpy", "scipy", "pandas", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
    "sklearn", "sklearn.base", "sklearn.compose", "sklearn.datasets", "sklearn.ensemble",
    "sklearn.gaussian_process", "sklearn.kernel_ridge", "sklearn.linear_model", "sklearn.metrics",
    "sklearn.model_selection", "sklearn.neighbors", "sklearn.neural_network", "sklearn.pipeline",
    "sklearn.preprocessing", "sklearn.svm", "sklearn.tree", "threadpoolctl", "tqdm.auto", "ipywidgets",
    "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
)
# The matplotlib backend ipykernel would choose, known before matplotlib is imported.
TEMPLATE_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}
# What the template needs to confine each child (root inside the sandbox; the children have none).
CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_KILL", "CAP_DAC_OVERRIDE")
READY_SECONDS = 60.0  # the template's imports on a loaded machine, before a request is refused
SOCKET_PATH_MAX = 107  # bytes in a unix socket's path (sun_path holds 108 with the final NUL)
UNHEALTHY = "unhealthy"  # left in the control folder by a launcher the template did not serve


def course_modules() -> list[str]:
    """coursekit and every module in it (read from disk, not imported here)."""
    root = REPO / "coursekit"
    return sorted(".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
                  for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def template_key(spec: sandbox.SandboxSpec) -> str:
    """What a template depends on: specs that differ only in folders no sandbox sees anyway (each
    run hides its own output and submissions) share one."""
    return json.dumps([spec.uid, spec.worker_dir, dataclasses.asdict(spec.limits), sandbox.masked(spec)])


class Zygote:
    """One worker's kernel template for one sandbox spec: started, checked and replaced here."""

    def __init__(self, spec: sandbox.SandboxSpec, folder: Path) -> None:
        self.spec = spec
        self.control = folder / "control"      # socket, script, configuration, log: root only
        self.exchange = folder / "exchange"    # the notebooks' folders, seen by the template
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def socket(self) -> Path:
        return self.control / "zygote.sock"

    def start(self) -> None:
        if len(os.fsencode(self.socket)) > SOCKET_PATH_MAX:
            raise ValueError(f"the warm template's socket {self.socket} is longer than a unix socket path may be "
                             f"({SOCKET_PATH_MAX} bytes): give the template a shorter folder")
        self.stop()
        shutil.rmtree(self.control, ignore_errors=True)
        self.control.mkdir(mode=0o700, parents=True)
        self.exchange.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chmod(self.exchange, 0o755)
        script = self.control / "zygote.py"  # a copy: nothing of autograder/ is visible inside
        shutil.copyfile(ZYGOTE, script)
        config = {"socket": str(self.socket), "exchange": str(self.exchange), "worker_dir": self.spec.worker_dir,
                  "uid": self.spec.uid, "notebook_seconds": self.spec.limits.notebook_seconds,
                  "preload": [*PRELOAD, *course_modules()], "env": sandbox.SANDBOX_ENV}
        (self.control / "config.json").write_text(json.dumps(config))
        caps = ["--cap-drop", "ALL"] + [arg for cap in CAPABILITIES for arg in ("--cap-add", cap)]
        writable = [self.spec.worker_dir, str(self.exchange), str(self.control)]
        argv = (["setpriv", "--pdeathsig=KILL", "--"]
                + sandbox.bwrap(self.spec, writable, chdir="/", env=TEMPLATE_ENV, extra=caps)
                + sandbox.prlimit(self.spec.limits)
                + [sys.executable, str(script), str(self.control / "config.json")])
        log = open(self.control / "zygote.log", "wb")  # noqa: SIM115 (the child holds it)
        with log:
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            env={**os.environ, "PYTHONPATH": ""})
        self.starts += 1

    def alive(self) -> bool:
        """Running, listening, and no launcher found it unable to serve."""
        if self.process is None or self.process.poll() is not None or (self.control / UNHEALTHY).exists():
            return False
        deadline = time.monotonic() + 5
        while not self.socket.exists():  # just started: binding comes first, before the imports
            if time.monotonic() > deadline or self.process.poll() is not None:
                return False
            time.sleep(0.02)
        return True

    @property
    def unusable(self) -> bool:
        """The template found it cannot confine a child on this machine: cold kernels only."""
        return self.process is not None and self.process.poll() == UNUSABLE

    def log(self) -> str:
        path = self.control / "zygote.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def write_kernelspec(self, kernels_dir: Path, name: str, spec: sandbox.SandboxSpec) -> None:
        """Kernel spec ``name``: warm kernels from this template, a cold kernel in ``spec`` (a spec
        with this template's key) as the fallback."""
        cold = f"{name}-cold"
        sandbox.write_kernelspec(kernels_dir, cold, spec)
        folder = kernels_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "warm.json").write_text(json.dumps({"cold": str(kernels_dir / cold / "sandbox.json"),
                                                      "socket": str(self.socket)}))
        kernel = json.loads((kernels_dir / cold / "kernel.json").read_text())
        kernel["argv"] = [sys.executable, "-m", "autograder.warm", str(folder / "warm.json"), "{connection_file}"]
        kernel["display_name"] = f"Python 3 (warm grading sandbox {name})"
        (folder / "kernel.json").write_text(json.dumps(kernel, indent=1))


def launch(warm_file: str, connection_file: str) -> None:
    """Kernel spec entry point: a kernel from the template, or a cold one when it cannot give one."""
    warm = json.loads(Path(warm_file).read_text())
    spec = sandbox.load_spec(warm["cold"])
    inside = sandbox.prepare(spec, connection_file)
    request = {"connection_file": inside, "cwd": os.getcwd(), "env": dict(os.environ)}
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(READY_SECONDS)
        conn.connect(warm["socket"])
        conn.sendall(json.dumps(request).encode() + b"\n")
        replies = conn.makefile("rb")
        first = json.loads(replies.readline() or b"{}")
        if "pid" not in first:
            raise ValueError(first.get("error", "the template hung up"))
    except (OSError, ValueError) as error:
        print(f"warm kernel unavailable ({error}): starting a cold one", file=sys.stderr)
        with contextlib.suppress(OSError):  # the worker replaces the template before its next task
            Path(warm["socket"]).with_name(UNHEALTHY).touch()
        sandbox.launch(warm["cold"], connection_file)  # does not return
        return
    conn.settimeout(None)
    line = replies.readline()
    code = json.loads(line).get("exit", 1) if line else 1
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    launch(sys.argv[1], sys.argv[2])
