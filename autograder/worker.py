"""The worker side: grade one submission, wherever the task lands.

``grade(task)`` is what a Dask worker runs for each submission. It checks that this machine's
checkout is the one the client graded against (the task carries the assignment's source
digest), writes the submission into a scratch workspace with a copy of the template gradebook,
runs nbgrader's autograde and feedback in this process, with learner code in a sandboxed kernel
(``autograder/sandbox.py``), and returns a ``Graded``: the typed result, the feedback page and the
autograded notebook. Nothing is written outside the worker's own scratch folder; the client keeps
the results.

Each worker process is set up at its first task: a scratch folder, an unprivileged uid of its
own for its kernels (held by a file lock, so concurrent workers never share one), a kernel spec
that starts kernels in the sandbox, and the course's nbgrader configuration. A Dask worker
started with ``--preload autograder.worker`` imports nbgrader and the course once, before its
first task.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import dataclasses
import fcntl
import functools
import gc
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

from autograder import startup  # noqa: F401 (before nbformat: see its docstring)

# isort: split
import nbformat
from traitlets.config import Config

from autograder import course, feedback, limits, nbgrader_calls, notebook_writer, sandbox, warm
from autograder.results import Graded, Result, Settings, Task
from autograder.template import Template


class CheckoutMismatch(RuntimeError):
    """This worker's checkout would grade the assignment with other sources than the client's."""


class CannotSandbox(RuntimeError):
    """The task asks for the sandbox and this worker cannot build it."""


CRASHED = ("The Python kernel stopped while running your notebook (for example through os._exit(), a crash, "
           "or using more memory or processes than allowed), so it could not be graded (score 0). Restart "
           "the kernel and run all cells in Jupyter to find the cell that stops it.")


class _Worker:
    """This process's grading set-up, made at its first task and kept for its lifetime."""

    def __init__(self) -> None:
        with contextlib.suppress(Exception):  # not Linux: nothing to do
            # Orphaned sandbox processes (a fork bomb's) come back to this process to be reaped.
            ctypes.CDLL("libc.so.6").prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.folder = Path(tempfile.mkdtemp(prefix="course-worker-"))
        atexit.register(shutil.rmtree, self.folder, True)
        # The only part of it a sandboxed kernel sees (and may write): its sockets, connection file
        # and log. Workspaces (gradebooks with the hidden tests' source) and kernel specs are
        # beside it, never inside.
        self.kernel_folder = self.folder / "kernel"
        self.kernel_folder.mkdir()
        os.chmod(self.folder, 0o755)
        os.chmod(self.kernel_folder, 0o755)
        os.environ["JUPYTER_RUNTIME_DIR"] = str(self.kernel_folder)
        # Dask's nanny sets this for its workers; inherited, it makes glibc return memory to the
        # system at every free, and a learner's scikit-learn code about 15 % slower than at home.
        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        self.uid: int | None = None
        self._uid_lock = None
        self._configs: dict[str, Config] = {}
        self._zygotes: dict[str, warm.Zygote] = {}    # settings -> its template
        self._current: warm.Zygote | None = None       # the one running
        self._remembered: set[Path] = set()            # templates whose feedback parts are loaded
        self._settled = False
        self.tasks = 0                                 # graded so far

    def config(self, settings: Settings) -> Config:
        """nbgrader's configuration for tasks graded with ``settings`` (kernel spec included)."""
        key = json.dumps(dataclasses.asdict(settings), sort_keys=True)
        if key not in self._configs:
            extra = Config()
            extra.Execute.timeout = settings.cell_timeout
            # nbconvert validates the whole notebook after every preprocessor (17 times a
            # submission); with its own setting, once at the end of each pass. A notebook still
            # invalid there is refused as before; one a later step repairs (nbgrader puts back a
            # broken kernelspec) is graded instead of scoring 0.
            extra.Exporter.optimistic_validation = True
            extra.Autograde.autograde_preprocessors = nbgrader_calls.autograde_preprocessors()
            extra.Autograde.exporter_class = notebook_writer.AutogradeNotebookExporter
            extra.LimitOutput.max_lines = 1000
            extra.AsyncKernelManager.client_class = f"{limits.__name__}.{limits.PromptKernelClient.__name__}"
            if settings.sandbox:
                self.uid = self.uid or self._claim_uid()
                os.chown(self.kernel_folder, self.uid, self.uid)
                hidden = [*settings.hidden, str(course.SOLUTIONS), str(course.AUTOGRADER / "workspace")]
                spec = sandbox.SandboxSpec(worker_dir=str(self.kernel_folder), uid=self.uid, hidden=hidden,
                                           limits=settings.limits)
                kernels = self.folder / "jupyter" / "kernels"
                name = f"course-sandbox-{len(self._configs)}"
                if settings.warm:
                    self._zygotes[key] = self._template(spec)
                    self._zygotes[key].write_kernelspec(kernels, name, spec)
                else:
                    sandbox.write_kernelspec(kernels, name, spec)
                os.environ["JUPYTER_PATH"] = str(kernels.parent)
                extra.Execute.kernel_name = name
                extra.KernelManager.transport = "ipc"
                extra.KernelManager.ip = str(self.kernel_folder / "k")
            self._configs[key] = extra
        return self._configs[key]

    def settle(self) -> None:
        """Once, after the first task: what the process keeps from then on (nbgrader, the templates,
        compiled SQL and pages) leaves the garbage collector's full passes, which otherwise walk all
        of it now and then (60 ms a pass here)."""
        if not self._settled:
            self._settled = True
            gc.collect()
            gc.freeze()

    def remember_feedback(self, template: Template) -> None:
        """Start this process's feedback pages of ``template``'s assignment from the parts the
        template rendered (once per template, at the worker's first task of it)."""
        if template.folder not in self._remembered:
            self._remembered.add(template.folder)
            feedback.remember(template.feedback_parts())

    def _template(self, spec: sandbox.SandboxSpec) -> warm.Zygote:
        """The warm template for ``spec``: the current one when it fits (runs that differ only in
        what no sandbox sees share it), else a new one, which replaces it."""
        if self._current is None or warm.template_key(self._current.spec) != warm.template_key(spec):
            if self._current is not None:
                self._current.stop()
            self._current = warm.Zygote(spec, self.folder / f"template-{len(self._configs)}")
            self._current.start()  # its imports overlap this task's nbgrader set-up
        return self._current

    def zygote(self, settings: Settings) -> warm.Zygote | None:
        """The running warm template for ``settings`` (None: cold kernels); one that died, or that
        a launcher found unable to serve, is started again. One template runs per worker."""
        self.config(settings)
        zygote = self._zygotes.get(json.dumps(dataclasses.asdict(settings), sort_keys=True))
        if zygote is None:
            return None
        if zygote is not self._current:  # a run with other limits came in between
            if self._current is not None:
                self._current.stop()
            self._current = zygote
        if zygote.unusable:
            return None
        if not zygote.alive():
            if zygote.unusable:
                print(f"worker {self.name}: warm kernels cannot be used on this machine, grading with cold ones:\n"
                      f"{zygote.log()[-2000:]}", file=sys.stderr)
                return None
            zygote.start()
        return zygote

    def _claim_uid(self) -> int:
        """A sandbox uid no other live worker on this machine is using.

        RLIMIT_NPROC counts processes per uid, so sharing one would let a fork bomb in one sandbox
        starve another; the uid is held by an flock for the worker's lifetime.
        """
        locks = Path(tempfile.gettempdir()) / "course-grading-uids"
        locks.mkdir(exist_ok=True)
        for uid in range(sandbox.FIRST_UID, sandbox.FIRST_UID + 1000):
            handle = open(locks / f"{uid}.lock", "w")  # noqa: SIM115 (held open on purpose)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self._uid_lock = handle
            return uid
        raise RuntimeError("no free sandbox uid (1000 grading workers on one machine?)")


_this: _Worker | None = None


def _worker() -> _Worker:
    global _this
    if _this is None:
        _this = _Worker()
    return _this


def check(task: Task) -> None:
    """Refuse a task this worker cannot grade the way the client expects."""
    mine = course.source_digest(task.assignment)
    if mine != task.source:
        raise CheckoutMismatch(
            f"worker {socket.gethostname()}:{os.getpid()} refuses {task.assignment}: its checkout "
            f"({course.REPO}) has course digest {mine[:16]}, the client's has {task.source[:16]}. "
            "It runs another commit or edited sources (solutions/, coursekit/, data/, autograder/, "
            "requirements.txt); give every worker the client's checkout (git pull, make .venv) and restart it.")
    if task.settings.sandbox:
        why = sandbox.probe()
        if why:
            raise CannotSandbox(
                f"worker {socket.gethostname()}:{os.getpid()} cannot run learner code in the sandbox: {why}. "
                "Install bubblewrap and run the worker as root, or grade with --no-sandbox (trusted notebooks only).")


def grade(task: Task) -> Graded:
    """Grade one submission in a scratch workspace of this worker; nothing is kept here."""
    check(task)
    worker = _worker()
    tasks_before, worker.tasks = worker.tasks, worker.tasks + 1
    template = Template(task.assignment).ready()
    worker.remember_feedback(template)
    learner, assignment = task.learner, task.assignment
    workspace = worker.folder / "subs" / task.key
    shutil.rmtree(workspace, ignore_errors=True)
    submitted = workspace / "submitted" / learner / assignment
    submitted.mkdir(parents=True)
    for leftover in worker.kernel_folder.iterdir():  # nothing a previous kernel wrote survives it
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    zygote = worker.zygote(task.settings)
    if zygote is not None:
        # The kernel's folder is nbgrader's autograded copy: where a warm kernel can run it. Its path
        # ends in autograded/<learner>/<assignment> as in nbgrader's own layout, so the notebook can
        # tell whose submission it grades (coursekit.exam seeds the learner's paper with it).
        exchange = zygote.exchange / task.key
        shutil.rmtree(exchange, ignore_errors=True)
        (exchange / "autograded").mkdir(parents=True)
        (workspace / "autograded").symlink_to(exchange / "autograded")
    (submitted / f"{assignment}.ipynb").write_bytes(task.notebook)
    shutil.copyfile(template.gradebook, workspace / "gradebook.db")
    db_url = f"sqlite:///{workspace / 'gradebook.db'}"
    config = nbgrader_calls.course_config(root=str(workspace), db_url=db_url,
                                          release_directory=str(template.folder / "release"))
    config.merge(worker.config(task.settings))
    try:
        try:
            outcome = nbgrader_calls.autograde(config, workspace, assignment, learner)
        finally:
            if worker.uid is not None and task.settings.sandbox:
                sandbox.reap(worker.uid)
        result = Result(learner=learner, assignment=assignment, digest=task.digest, source=task.source,
                        status="graded", reason="", score=outcome.score, max_score=outcome.max_score,
                        cells=outcome.cells, note=task.note, worker=worker.name, worker_tasks_before=tasks_before,
                        seconds=round(outcome.seconds, 2),
                        execution_seconds=round(outcome.execution_seconds, 2),
                        kernel_start_seconds=round(outcome.kernel_start_seconds, 2),
                        first_cell_seconds=round(outcome.first_cell_seconds, 2))
        if not outcome.success:
            return Graded(_not_graded(result, outcome, task.settings, worker))
        autograded = workspace / "autograded" / learner / assignment / f"{assignment}.ipynb"
        result.status, result.reason = _explain(autograded, task.notebook, template, task.settings)
        clock = time.monotonic()
        page = nbgrader_calls.generate_feedback(config, workspace, assignment, learner)
        result.feedback_seconds = round(time.monotonic() - clock, 2)
        if page is None:
            result.status = "crashed"
            result.reason = "The grades were computed but the feedback page could not be written."
        return Graded(result, feedback_html=page, autograded=autograded.read_bytes())
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        if zygote is not None:
            shutil.rmtree(exchange, ignore_errors=True)
        worker.settle()


def _not_graded(result: Result, outcome: nbgrader_calls.Autograded, settings: Settings, worker: _Worker) -> Result:
    """nbgrader could not finish the notebook: out of time, or the kernel died."""
    seconds = settings.limits.notebook_seconds
    if outcome.seconds >= seconds - 2:
        result.status = "timeout"
        result.reason = (f"Your notebook did not finish within {seconds} s and was stopped, so it could not be "
                         "graded (score 0). Look for a loop that never ends or a computation far bigger than "
                         "the exercise needs.")
    else:
        result.status, result.reason = "crashed", CRASHED
    result.score = 0.0
    log = outcome.log
    kernel_log = worker.kernel_folder / "kernel.log"
    if kernel_log.exists():
        log += "\n--- kernel log ---\n" + kernel_log.read_text(errors="replace")[-2000:]
    result.log_tail = log[-5000:]
    return result


def _explain(autograded: Path, received: bytes, template: Template, settings: Settings) -> tuple[str, str]:
    """Status and a learner-readable reason for a notebook nbgrader did grade."""
    notebook = nbformat.read(str(autograded), as_version=4)
    reasons, status = [], "graded"
    timeouts = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and any(
        o.get("output_type") == "error" and o.get("ename") in ("CellTimeoutError", "TimeoutError")
        for o in c.get("outputs", []))]
    if timeouts:
        status = "timeout"
        names = ", ".join(notebook.cells[i].metadata.get("nbgrader", {}).get("grade_id", f"cell {i}")
                          for i in timeouts)
        reasons.append(f"A cell ran longer than {settings.cell_timeout} s and was stopped ({names}); "
                       "it earns no points.")
    with contextlib.suppress(Exception):  # the explanation is a courtesy; the grade stands
        submitted = nbformat.reads(received.decode("utf-8", errors="replace"), as_version=4)
        ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in submitted.cells}
        source = {c["metadata"]["nbgrader"]["grade_id"]: c for c in course.source_cells(template.assignment)}
        missing = sorted(g for g in course.graded_cells(template.assignment) if g not in ids)
        if missing:
            reasons.append(f"Graded cells missing from your notebook earn no points: {', '.join(missing)}.")
        locked = {g for g, c in source.items() if c["metadata"]["nbgrader"].get("locked")}
        release = _released_sources(template.release_notebook(template.assignment))
        changed = sorted(g for c in submitted.cells
                         if (g := c.get("metadata", {}).get("nbgrader", {}).get("grade_id")) in locked
                         and c.source != release.get(g, c.source))
        if changed:
            reasons.append(f"You edited locked cells ({', '.join(changed)}); they were graded as "
                           "originally written.")
    return status, " ".join(reasons)


@functools.lru_cache(maxsize=64)
def _released_sources(release_notebook: Path) -> dict[str, str]:
    """grade_id -> source of each cell of a template's release notebook, read once per process (a
    template's files never change: its folder is named by its sources' digest). Read only."""
    released = nbformat.read(str(release_notebook), as_version=4)
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in released.cells}


def dask_setup(worker=None) -> None:
    """Dask preload hook (``dask worker --preload autograder.worker``): the process is ready to
    grade before its first task. A worker dies with its nanny, and so do its kernels."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
