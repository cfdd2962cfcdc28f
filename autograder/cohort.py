"""Grade a whole cohort with one command: parallel, sandboxed, resumable, on top of nbgrader.

Pipeline (``grade_cohort``):

1. **Collect.** ``SUBMISSIONS`` is a folder or a zip, in nbgrader's layout
   (``<learner>/<assignment>/<notebook>.ipynb``) or an LMS-style flat one
   (``<learner>_<anything>.ipynb``). Every file is mapped to its assignment by its cells' nbgrader
   ids, never by its name. Files that are not notebooks, or belong to no assignment, get an
   ``invalid`` row straight away.
2. **Template.** nbgrader's ``generate_assignment`` (in-process, once per run) writes the release
   and a template gradebook with every assignment's cells and checksums, one assignment at a
   time in the order the queue needs them (``Template``).
3. **Grade in workers.** ``--workers`` processes (default: one per core), forked once nbgrader is
   loaded, grade submission after submission in-process through ``NbGraderAPI.autograde`` and
   ``generate_feedback`` (nbgrader's sanitising, cell overwriting, execution, scoring). A
   submission is handed out as soon as its assignment's template is written, so grading starts
   while the rest of the template is still being written. Each submission is graded in a
   workspace of its own with its own copy of the template gradebook, so no two processes ever
   write to one SQLite file. Learner code runs in a sandboxed kernel (``autograder/sandbox.py``),
   one kernel spec and one unprivileged uid per worker.
4. **Record.** A worker finishes a submission by writing its feedback and then, atomically
   (write + rename), ``.work/results/<learner>__<assignment>.json``. A run killed half-way and
   started again with the same ``OUT`` skips every submission that has a result for the same
   input bytes and the same assignment sources (``source_digest``), and regrades the rest from
   scratch.
5. **Merge.** One process rebuilds the gradebook from the results (a fresh copy of the template,
   written to a temporary name and renamed; or ``--db-url``, e.g. PostgreSQL, where each
   submission is replaced) and exports it with nbgrader's CSV exporter (``nbgrader-grades.csv``),
   then writes ``grades.csv``, ``competencies.csv``, the per-learner
   competency pages and ``report.html``. Merging from scratch is what makes reruns idempotent.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat

from autograder import sandbox as jail

REPO = Path(__file__).resolve().parent.parent
AUTOGRADER = REPO / "autograder"
SOLUTIONS = REPO / "solutions"
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
STATUSES = ("graded", "timeout", "crashed", "invalid")


# ---------------------------------------------------------------------------------------------
# Options and submissions


@dataclasses.dataclass
class Options:
    workers: int = 0                  # 0: one per core
    cell_timeout: int | None = None   # None: nbgrader_config.py's Execute.timeout
    sandbox: bool = True
    db_url: str | None = None
    limits: jail.Limits = dataclasses.field(default_factory=jail.Limits)
    progress: bool = True


@dataclasses.dataclass
class Submission:
    learner: str
    assignment: str           # the assignment its cells belong to ("" when none)
    path: Path                # the file as received (inside the extracted input)
    status: str = ""          # "invalid" when it cannot be graded at all
    reason: str = ""
    note: str = ""            # said to the learner next to the grade (misfiled, duplicates...)
    digest: str = ""

    @property
    def key(self) -> str:
        return f"{self.learner}__{self.assignment or 'unknown'}"


@functools.cache
def assignments() -> tuple[str, ...]:
    return tuple(sorted(p.parent.name for p in SOLUTIONS.glob("*/*.ipynb") if p.stem == p.parent.name))


@functools.cache  # read once per process: reports ask for every result's cells
def source_cells(assignment: str) -> list[dict]:
    notebook = json.loads((SOLUTIONS / assignment / f"{assignment}.ipynb").read_text())
    return [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader")]


@functools.cache
def source_digest(assignment: str) -> str:
    """What a grade of ``assignment`` is made from, hashed: its folder in solutions/ and what its
    tests run with (coursekit/, data/, the nbgrader configuration). A template or grade made from
    other sources (a test fixed since) is stale."""
    digest = hashlib.sha256()
    for source in (SOLUTIONS / assignment, REPO / "coursekit", REPO / "data", AUTOGRADER / "nbgrader_config.py"):
        for path in [source] if source.is_file() else sorted(source.rglob("*")):
            relative = path.relative_to(REPO)
            if path.is_file() and not {".ipynb_checkpoints", "__pycache__", "feedback"} & set(relative.parts):
                digest.update(f"{relative}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def competencies(assignment: str) -> dict[str, str]:
    """grade_id -> competency tag of every graded cell (``metadata.course.competency``)."""
    return {
        c["metadata"]["nbgrader"]["grade_id"]: c["metadata"].get("course", {}).get("competency", "untagged")
        for c in source_cells(assignment)
        if c["metadata"]["nbgrader"].get("grade")
    }


def _extract(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            target = (into / info.filename).resolve()
            if not target.is_relative_to(into.resolve()):
                raise ValueError(f"{archive}: refusing a zip entry outside the folder: {info.filename}")
            total += info.file_size
        if total > 4 * 1024**3:
            raise ValueError(f"{archive} would unpack to more than 4 GiB")
        zf.extractall(into)
    entries = [p for p in into.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if not _has_layout(into) and len(entries) == 1 and entries[0].is_dir() and _has_layout(entries[0]):
        return entries[0]  # a zip of one folder: that folder is the submissions folder
    return into


def _has_layout(root: Path) -> bool:
    return any(root.glob("*.ipynb")) or any(root.glob("*/*/*.ipynb"))


def _identify(path: Path, signatures: dict[str, set[str]]) -> tuple[str, str]:
    """(assignment, '') from the notebook's nbgrader cell ids, or ('', reason) when invalid."""
    raw = path.read_bytes()
    if not raw.strip():
        return "", "The file is empty: nothing was submitted. Upload your saved notebook (.ipynb)."
    try:
        notebook = nbformat.reads(raw.decode("utf-8", errors="replace"), as_version=4)
    except Exception as error:  # nbformat raises several kinds for non-JSON input
        first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        return "", (f"The file is not a valid Jupyter notebook ({first}). Save it from Jupyter with "
                    "File > Save and upload the .ipynb file itself.")
    ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in notebook.cells} - {None}
    best = max(signatures, key=lambda a: (len(ids & signatures[a]), a), default="")
    if not best or not ids & signatures[best]:
        return "", ("This notebook has none of the graded cells of any course assignment. Submit the "
                    "course notebook you worked in (from notebooks/ or my-work/), not a new one.")
    return best, ""


def collect(source: Path, scratch: Path) -> list[Submission]:
    """Every submission in ``source`` (folder or zip), identified and deduplicated."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source} is not a folder of submissions (nor a zip of one)")
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise ValueError(f"{source} is neither a folder nor a zip of submissions")
        input_dir = scratch / "input"
        shutil.rmtree(input_dir, ignore_errors=True)
        input_dir.mkdir(parents=True)
        root = _extract(source, input_dir)
    else:
        root = source
    signatures = {a: {c["metadata"]["nbgrader"]["grade_id"] for c in source_cells(a)} for a in assignments()}
    found: list[Submission] = []
    for path in sorted(root.rglob("*.ipynb")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p == "__MACOSX" for p in parts) or not path.is_file():
            continue
        if len(parts) == 3:                       # nbgrader: learner/assignment/notebook.ipynb
            learner, claimed = parts[0], parts[1]
        elif len(parts) == 1:                     # LMS: learner_anything.ipynb
            learner, claimed = path.stem.split("_", 1)[0], ""
        else:
            warnings.warn(f"skipping {path}: neither <learner>/<assignment>/<nb>.ipynb nor <learner>_<x>.ipynb",
                          stacklevel=2)
            continue
        submission = Submission(learner=learner, assignment="", path=path)
        submission.digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if not SAFE_ID.match(learner):
            submission.assignment = claimed if claimed in signatures else ""
            submission.status, submission.reason = "invalid", (
                f"The learner id {learner!r} (from the file name) has characters a grade book cannot hold.")
            submission.learner = re.sub(r"[^A-Za-z0-9._@+-]", "-", learner) or "unnamed"
            found.append(submission)
            continue
        assignment, reason = _identify(path, signatures)
        if reason:
            submission.assignment = claimed if claimed in signatures else ""
            submission.status, submission.reason = "invalid", reason
        else:
            submission.assignment = assignment
            if claimed and claimed != assignment:
                submission.note = (f"This file was submitted as {claimed}, but it is the notebook of "
                                   f"{assignment}; it was graded as {assignment}.")
        found.append(submission)
    if not found:
        unknown = sorted({p.name for p in root.glob("*/*") if p.is_dir()} - set(signatures))
        detail = f"no such assignment in solutions/: {', '.join(unknown)}; " if unknown else ""
        raise ValueError(f"{detail}no notebook to grade in {source}")
    # One row per learner and assignment: a valid file beats an invalid one, then the newest.
    chosen: dict[str, Submission] = {}
    for submission in found:
        other = chosen.get(submission.key)
        if other is None:
            chosen[submission.key] = submission
            continue
        rank = lambda s: (s.status != "invalid", s.path.stat().st_mtime, str(s.path))  # noqa: E731
        keep, drop = (submission, other) if rank(submission) > rank(other) else (other, submission)
        keep.note = (keep.note + " " if keep.note else "") + (
            f"Several files were submitted for this assignment; {keep.path.name} was graded, "
            f"{drop.path.name} was not.")
        chosen[submission.key] = keep
    return sorted(chosen.values(), key=lambda s: (s.learner, s.assignment))


# ---------------------------------------------------------------------------------------------
# Workers


_worker: dict = {}


def _init_worker(slots, run: dict) -> None:
    """Once per worker process: load nbgrader and the course configuration, make the sandbox."""
    try:  # die with the main process, so a killed run leaves no worker (nor kernel) behind
        import ctypes
        import signal
        libc = ctypes.CDLL("libc.so.6")
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        libc.prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphaned sandbox processes come back to us to reap
    except Exception:  # noqa: S110 (not Linux: nothing to do)
        pass
    from sqlalchemy.exc import SAWarning

    # nbgrader's gradebook code trips SQLAlchemy 2's autoflush warning on every submission it adds;
    # it says nothing to an instructor and would bury the progress bar.
    warnings.filterwarnings("ignore", category=SAWarning)
    _scratch_gradebooks().__enter__()  # every gradebook a worker opens is a submission's scratch copy
    index = slots.get()
    worker_dir = Path(run["sockets"]) / f"w{index}"
    worker_dir.mkdir(parents=True, exist_ok=True)
    os.environ["JUPYTER_RUNTIME_DIR"] = str(worker_dir)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    from traitlets.config import Config

    config = course_config()
    extra = Config()
    extra.CourseDirectory.release_directory = run["release"]
    if run["cell_timeout"]:
        extra.Execute.timeout = run["cell_timeout"]
    extra.Autograde.autograde_preprocessors = _autograde_preprocessors()
    extra.LimitOutput.max_lines = 1000
    if run["sandbox"]:
        uid = _claim_uid()
        os.chown(worker_dir, uid, uid)
        spec = jail.SandboxSpec(worker_dir=str(worker_dir), uid=uid, hidden=run["hidden"],
                                   limits=jail.Limits(**run["limits"]))
        kernels = Path(run["sockets"]) / "jupyter" / "kernels"
        name = f"course-sandbox-{index}"
        jail.write_kernelspec(kernels, name, spec)
        os.environ["JUPYTER_PATH"] = str(kernels.parent)
        extra.Execute.kernel_name = name
        extra.KernelManager.transport = "ipc"
        extra.KernelManager.ip = str(worker_dir / "k")
    config.merge(extra)
    _worker.update(index=index, config=config, run=run, uid=uid if run["sandbox"] else None)


_uid_lock = None


def _claim_uid() -> int:
    """A sandbox uid no other live worker (of this run or of a concurrent one) is using.

    RLIMIT_NPROC counts processes per uid, so sharing one would let a fork bomb in one sandbox
    starve another; the uid is held by an flock for the worker's lifetime.
    """
    import fcntl

    global _uid_lock
    locks = Path(tempfile.gettempdir()) / "course-grading-uids"
    locks.mkdir(exist_ok=True)
    for uid in range(jail.FIRST_UID, jail.FIRST_UID + 1000):
        handle = open(locks / f"{uid}.lock", "w")  # noqa: SIM115 (held open on purpose)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _uid_lock = handle
        return uid
    raise RuntimeError("no free sandbox uid (1000 concurrent grading workers?)")


def _autograde_preprocessors():
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    from autograder.limits import LimitOutputSize, TimedExecute

    steps = [TimedExecute if p is Execute else p for p in Autograde.class_traits()["autograde_preprocessors"].default()]
    return steps[: steps.index(TimedExecute) + 1] + [LimitOutputSize] + steps[steps.index(TimedExecute) + 1:]


def _grade_one(task: dict) -> dict:
    """Grade one submission in its own workspace; returns (and records) its result."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from autograder import limits

    run = _worker["run"]
    learner, assignment = task["learner"], task["assignment"]
    workspace = Path(run["subs"]) / task["key"]
    shutil.rmtree(workspace, ignore_errors=True)
    submitted = workspace / "submitted" / learner / assignment
    submitted.mkdir(parents=True)
    shutil.copyfile(task["path"], submitted / f"{assignment}.ipynb")
    shutil.copyfile(Path(run["template_dbs"]) / f"{assignment}.db", workspace / "gradebook.db")
    db_url = f"sqlite:///{workspace / 'gradebook.db'}"
    config = Config(_worker["config"])
    config.merge(Config({"CourseDirectory": {"root": str(workspace), "db_url": db_url}}))
    started = time.monotonic()
    limits.EXECUTION_SECONDS = 0.0
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    try:
        outcome = api.autograde(assignment, learner, force=True, create=True)
    finally:
        if _worker.get("uid") is not None:
            jail.reap(_worker["uid"])
    execution = limits.EXECUTION_SECONDS
    autograded = workspace / "autograded" / learner / assignment / f"{assignment}.ipynb"
    result = {**{k: task[k] for k in ("learner", "assignment", "key", "digest", "source", "note")},
              "status": "graded", "reason": "", "cells": {}, "score": 0.0, "max_score": 0.0}
    with Gradebook(db_url) as gb:
        assignment_row = gb.find_assignment(assignment)
        result["max_score"] = assignment_row.max_score
        result["cells"] = {c.name: [0.0, c.max_score] for n in assignment_row.notebooks for c in n.grade_cells}
        if outcome.get("success") and autograded.exists():
            submission = gb.find_submission(assignment, learner)
            result["score"] = submission.score
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    result["cells"][grade.name] = [grade.score, grade.max_score]
    elapsed = time.monotonic() - started
    if outcome.get("success") and autograded.exists():
        result["status"], result["reason"] = _explain(autograded, Path(task["path"]), run)
        clock = time.monotonic()
        feedback = api.generate_feedback(assignment, learner, force=True)
        result["feedback_seconds"] = round(time.monotonic() - clock, 2)
        page = workspace / "feedback" / learner / assignment / f"{assignment}.html"
        if not feedback.get("success") or not page.exists():
            result["status"] = "crashed"
            result["reason"] = "The grades were computed but the feedback page could not be written."
    else:
        log = (outcome.get("log") or "") + (outcome.get("error") or "")
        if elapsed >= run["limits"]["notebook_seconds"] - 2:
            result["status"] = "timeout"
            result["reason"] = (f"Your notebook did not finish within {run['limits']['notebook_seconds']} s "
                                "and was stopped, so it could not be graded (score 0). Look for a loop "
                                "that never ends or a computation far bigger than the exercise needs.")
        else:
            result["status"] = "crashed"
            result["reason"] = ("The Python kernel stopped while running your notebook (for example "
                                "through os._exit(), a crash, or using more memory or processes than "
                                "allowed), so it could not be graded (score 0). Restart the kernel and "
                                "run all cells in Jupyter to find the cell that stops it.")
        kernel_log = Path(run["sockets"]) / f"w{_worker['index']}" / "kernel.log"
        if kernel_log.exists():
            log += "\n--- kernel log ---\n" + kernel_log.read_text(errors="replace")[-2000:]
        result["log_tail"] = log[-5000:]
    result["seconds"] = round(elapsed, 2)
    result["execution_seconds"] = round(execution, 2)
    result["worker"] = _worker["index"]
    _publish(result, workspace, Path(run["out"]))
    return result


def _explain(autograded: Path, received: Path, run: dict) -> tuple[str, str]:
    """Status and a learner-readable reason for a notebook nbgrader did grade."""
    notebook = nbformat.read(str(autograded), as_version=4)
    reasons, status = [], "graded"
    timeouts = [c for c in notebook.cells if c.cell_type == "code" and any(
        o.get("output_type") == "error" and o.get("ename") in ("CellTimeoutError", "TimeoutError")
        for o in c.get("outputs", []))]
    if timeouts:
        status = "timeout"
        names = ", ".join(c.metadata.get("nbgrader", {}).get("grade_id", f"cell {i}") for i, c in
                          enumerate(notebook.cells) if c in timeouts)
        limit = run["cell_timeout"] or 120
        reasons.append(f"A cell ran longer than {limit} s and was stopped ({names}); it earns no points.")
    try:
        submitted = nbformat.read(str(received), as_version=4)
        ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in submitted.cells}
        source = {c["metadata"]["nbgrader"]["grade_id"]: c for c in source_cells(autograded.parent.name)}
        missing = sorted(g for g, c in source.items() if g not in ids and c["metadata"]["nbgrader"].get("grade"))
        if missing:
            reasons.append(f"Graded cells missing from your notebook earn no points: {', '.join(missing)}.")
        locked = {g for g, c in source.items() if c["metadata"]["nbgrader"].get("locked")}
        assignment = autograded.parent.name
        released = nbformat.read(str(Path(run["release"]) / assignment / f"{assignment}.ipynb"), as_version=4)
        release = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in released.cells}
        changed = sorted(g for c in submitted.cells
                         if (g := c.get("metadata", {}).get("nbgrader", {}).get("grade_id")) in locked
                         and c.source != release.get(g, c.source))
        if changed:
            reasons.append(f"You edited locked cells ({', '.join(changed)}); they were graded as "
                           "originally written.")
    except Exception:  # noqa: S110 (the explanation is a courtesy; the grade stands)
        pass
    return status, " ".join(reasons)


def _publish(result: dict, workspace: Path, out: Path) -> None:
    """Feedback first, then the result file (atomically): a result means everything is there."""
    learner, assignment = result["learner"], result["assignment"]
    feedback = out / "feedback" / learner / assignment
    feedback.mkdir(parents=True, exist_ok=True)
    page = workspace / "feedback" / learner / assignment / f"{assignment}.html"
    if page.exists():
        shutil.copyfile(page, feedback / f"{assignment}.html")
    else:
        _status_page(feedback / f"{assignment}.html", result)
    _atomic_json(out / ".work" / "results" / f"{result['key']}.json", result)


def _atomic_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as f:
        json.dump(data, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _status_page(path: Path, result: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback</title></head><body>"
        f"<h1>{html.escape(result['assignment'] or 'Submission')} — {html.escape(result['learner'])}</h1>"
        f"<p><b>Score: {result['score']:g} / {result['max_score']:g}</b> ({html.escape(result['status'])})</p>"
        f"<p>{html.escape(result['reason'])}</p><p>{html.escape(result.get('note', ''))}</p></body></html>"
    )


# ---------------------------------------------------------------------------------------------
# The run


def grade_cohort(submissions: Path, out: Path, options: Options | None = None) -> Path:
    """Grade every submission in ``submissions`` into ``out``; returns ``out / 'grades.csv'``."""
    from autograder.cli import nbgrader

    options = options or Options()
    out = Path(out).resolve()
    submissions = Path(submissions).resolve()
    work = out / ".work"
    work.mkdir(parents=True, exist_ok=True)
    phases: dict[str, float] = {}
    clock = time.monotonic()
    found = collect(Path(submissions), work)
    results_dir = work / "results"
    results_dir.mkdir(exist_ok=True)

    # Invalid files need no nbgrader: record them at once (same bytes, same result).
    for s in found:
        if s.status == "invalid":
            max_score = _max_score(s.assignment) if s.assignment else 0.0
            result = {"learner": s.learner, "assignment": s.assignment or "unknown", "key": s.key,
                      "digest": s.digest, "note": s.note, "status": "invalid", "reason": s.reason,
                      "cells": {}, "score": 0.0, "max_score": max_score, "seconds": 0, "execution_seconds": 0}
            _publish(result, work / "none", out)
    todo = [s for s in found if s.status != "invalid" and not _done(results_dir / f"{s.key}.json", s)]
    gradable = sorted({s.assignment for s in found if s.status != "invalid"})

    template = Template(work / "template", gradable)
    phases["collect"] = time.monotonic() - clock

    why_not = jail.probe() if options.sandbox else "disabled with --no-sandbox"
    if why_not and todo:
        banner = "!" * 78
        print(f"{banner}\nWARNING: learner code will run WITHOUT the sandbox: {why_not}.\nIt runs with "
              f"your rights, network and files. Grade untrusted submissions only where the sandbox "
              f"works (Linux, root, bubblewrap).\n{banner}", file=sys.stderr)
    workers = options.workers or os.cpu_count() or 1
    sockets = Path(tempfile.mkdtemp(prefix="cg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    os.chmod(sockets, 0o755)
    hidden = [str(SOLUTIONS), str(out), str(REPO / "autograder" / "workspace")]
    if Path(submissions).is_dir():
        hidden.append(str(Path(submissions).resolve()))
    run = {
        "out": str(out), "subs": str(work / "subs"), "release": str(template.folder / "release"),
        "template_dbs": str(template.snapshots), "cell_timeout": options.cell_timeout,
        "sandbox": not why_not, "hidden": [h for h in hidden if not Path(sys.prefix).is_relative_to(h)
                                             and not REPO.is_relative_to(h)],
        "limits": dataclasses.asdict(options.limits), "sockets": str(sockets),
    }
    started = time.monotonic()
    try:
        _run_workers(todo, run, min(workers, max(len(todo), 1)), options.progress, template)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    wall = time.monotonic() - started
    phases["grading"] = wall
    if template.seconds:
        phases["template"] = template.seconds
    clock = time.monotonic()

    results = [json.loads(p.read_text()) for p in sorted(results_dir.glob("*.json"))]
    wanted = {s.key for s in found}
    results = [r for r in results if r["key"] in wanted]
    _merge(results, out, template.folder, options.db_url, nbgrader)
    grades = _write_tables(results, out)
    from autograder.report import write_report
    write_report(results, out)
    phases["merge_and_report"] = time.monotonic() - clock
    now = [r for r in results if r["key"] in {s.key for s in todo}]
    stats = {"submissions": len(found), "graded_now": len(todo), "workers": workers, "wall_seconds": wall,
             "execution_seconds": sum(r.get("execution_seconds", 0) for r in now),
             "autograde_seconds": sum(r.get("seconds", 0) for r in now),
             "feedback_seconds": sum(r.get("feedback_seconds", 0) for r in now),
             "phases": phases, "sandbox": not why_not}
    _atomic_json(work / "last_run.json", stats)
    return grades


def course_config():
    """autograder/nbgrader_config.py, loaded the way nbgrader's commands load it."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(AUTOGRADER)).load_config()


def _generate_template(template: Path, gradable: list[str], written=None) -> None:
    """nbgrader generate_assignment, in this process (a command would pay nbgrader's start-up
    once per assignment): the release the workers grade against and the template gradebook.
    ``written(assignment)`` is called as soon as each assignment is in both."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = course_config()
    config.merge(Config({"CourseDirectory": {
        "root": str(template), "release_directory": str(template / "release"),
        "db_url": f"sqlite:///{template / 'gradebook.db'}"}}))
    template.mkdir(parents=True, exist_ok=True)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    here = os.getcwd()
    with _alembic_in_process(), _scratch_gradebooks():
        for assignment in gradable:
            try:
                outcome = api.generate_assignment(assignment, force=True, create=True)
            finally:
                os.chdir(here)  # nbgrader changes directory to the course root
            if not outcome.get("success"):
                from autograder.cli import NbgraderFailed

                raise NbgraderFailed(f"nbgrader generate_assignment {assignment} failed:\n"
                                     f"{(outcome.get('log') or '')[-3000:]}{outcome.get('error') or ''}")
            if written:
                written(assignment)


@contextlib.contextmanager
def _scratch_gradebooks():
    """While inside, SQLite databases opened through SQLAlchemy skip the per-commit fsync and
    journal file (0.7 ms a commit here, dozens of commits per submission). Only for gradebooks
    that are rebuilt from scratch after a crash: a submission's copy (regraded) and the template
    (rewritten without its ``done`` file); the merged gradebook keeps SQLite's defaults."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def on_connect(connection, _record) -> None:
        if isinstance(connection, sqlite3.Connection):
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("PRAGMA journal_mode=MEMORY")

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)


@contextlib.contextmanager
def _alembic_in_process():
    """While inside, a gradebook nbgrader creates in this process is stamped by ``alembic_head``."""
    import nbgrader.api

    asked = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = alembic_head
    try:
        yield
    finally:
        nbgrader.api.get_alembic_version = asked


def alembic_head() -> str:
    """The gradebook schema's version that nbgrader stamps into a new gradebook, read in this
    process from nbgrader's own migration scripts. nbgrader asks a subprocess (`alembic heads`),
    which costs over 2 s here, more than writing a whole assignment's template."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


class Template:
    """The run's nbgrader template: release and gradebook of every gradable assignment.

    Written in this process one assignment at a time, in the order the graders will need them;
    after each, a snapshot of the gradebook (``db/<assignment>.db``) lets workers start on that
    assignment while the rest is written, instead of all waiting for the whole template. The
    ``done`` file lists what a finished write holds, with each assignment's source digest; without
    it (a run killed while writing), or when a source has changed since, the template is written
    afresh.
    """

    def __init__(self, folder: Path, assignments: list[str]):
        self.folder, self.assignments = folder, assignments
        self.snapshots = folder / "db"
        self.seconds = 0.0

    def _complete(self) -> set[str]:
        done = self.folder / "done"
        listed = [line.split() for line in done.read_text().splitlines()] if done.exists() else []
        if any(len(entry) != 2 or entry[1] != source_digest(entry[0]) for entry in listed):
            return set()  # sources changed since (or a template from an older grader)
        return {a for a, _ in listed if (self.snapshots / f"{a}.db").exists()}

    def write(self, first: list[str], ready=lambda assignment: None) -> None:
        """Every assignment in the template, those in ``first`` first; ``ready(assignment)`` as
        each assignment of ``first`` can be graded."""
        clock = time.monotonic()
        have = self._complete()
        if not have:
            shutil.rmtree(self.folder, ignore_errors=True)
        for assignment in first:
            if assignment in have:
                ready(assignment)
        missing = [a for a in dict.fromkeys([*first, *self.assignments]) if a not in have]
        if missing:
            (self.folder / "done").unlink(missing_ok=True)
            self.snapshots.mkdir(parents=True, exist_ok=True)

            def snapshot(assignment: str) -> None:
                pending = self.snapshots / f"{assignment}.db.tmp"
                shutil.copyfile(self.folder / "gradebook.db", pending)
                os.replace(pending, self.snapshots / f"{assignment}.db")
                if assignment in first:
                    ready(assignment)

            _generate_template(self.folder, missing, snapshot)
            listing = "".join(f"{a} {source_digest(a)}\n" for a in sorted(have | set(missing)))
            (self.folder / "done").write_text(listing)
        self.seconds += time.monotonic() - clock


def _max_score(assignment: str) -> float:
    return float(sum(c["metadata"]["nbgrader"].get("points", 0) for c in source_cells(assignment)
                     if c["metadata"]["nbgrader"].get("grade")))


def _done(path: Path, s: Submission) -> bool:
    """Whether ``path`` holds the result of grading these bytes against the current sources."""
    try:
        result = json.loads(path.read_text())
        return result.get("digest") == s.digest and result.get("source") == source_digest(s.assignment)
    except (OSError, ValueError):
        return False


def _task(s: Submission) -> dict:
    return {"learner": s.learner, "assignment": s.assignment, "key": s.key, "digest": s.digest,
            "source": source_digest(s.assignment), "note": s.note, "path": str(s.path)}


def _run_workers(todo: list[Submission], run: dict, workers: int, progress: bool, template: Template) -> None:
    """Grade ``todo`` in ``workers`` processes. The template is written here meanwhile, and each
    submission is handed to the workers as soon as its assignment's template is ready."""
    import multiprocessing

    import tqdm

    if not todo:
        template.write([])
        return
    if sys.platform == "linux":
        # Workers forked from this process inherit nbgrader already loaded (2-3 s each with spawn).
        _preload()
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    tqdm.tqdm.monitor_interval = 0  # no monitor thread in a process that forks
    # Largest notebooks first (a rough proxy for the longest to run), so that the last ones to
    # finish are short and no worker idles long at the end.
    remaining = {s.key: s for s in sorted(todo, key=lambda s: -s.path.stat().st_size)}
    written = False
    attempts: dict[str, int] = {}
    bar = tqdm.tqdm(total=len(todo), unit="submission", desc="grading", disable=not progress, file=sys.stderr,
                    dynamic_ncols=True)
    while remaining:
        slots = context.Queue()
        for index in range(workers):
            slots.put(index)
        try:
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                     initargs=(slots, run)) as pool:
                dispatch = _Dispatch(pool, list(remaining.values()))
                for _ in range(workers):  # start the workers while the template is written
                    pool.submit(_ready)
                if not written:
                    try:
                        template.write(list(dict.fromkeys(s.assignment for s in dispatch.queue)), dispatch)
                    except BaseException:
                        pool.shutdown(wait=True, cancel_futures=True)
                        raise
                    written = True
                dispatch(*(s.assignment for s in dispatch.queue))
                futures = dispatch.futures
                for future in as_completed(futures):
                    key = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        raise
                    except Exception as error:  # nbgrader itself failed on this submission
                        result = _failed(remaining[key], f"{type(error).__name__}: {error}", run)
                    remaining.pop(key, None)
                    bar.set_postfix_str(f"{result['learner']} {result['status']}", refresh=False)
                    bar.update(1)
        except BrokenProcessPool:
            # A worker died (not a kernel: those are sandboxed). Retry what is left once more,
            # then give up on submissions that keep killing workers.
            for key in list(remaining):
                attempts[key] = attempts.get(key, 0) + 1
                if attempts[key] >= 2:
                    _failed(remaining.pop(key), "the grading worker died twice on this submission", run)
                    bar.update(1)
    bar.close()


class _Dispatch:
    """Hands queued submissions to the pool, in queue order, once their assignment is ready."""

    def __init__(self, pool: ProcessPoolExecutor, queue: list[Submission]):
        self.pool, self.queue = pool, queue
        self.futures: dict = {}
        self.ready: set[str] = set()

    def __call__(self, *assignments: str) -> None:
        self.ready.update(assignments)
        while len(self.futures) < len(self.queue) and self.queue[len(self.futures)].assignment in self.ready:
            s = self.queue[len(self.futures)]
            self.futures[self.pool.submit(_grade_one, _task(s))] = s.key


def _preload() -> None:
    """Load here what every grading worker needs, so that forked workers start ready to grade."""
    import nbgrader.api  # noqa: F401
    import nbgrader.apps  # noqa: F401
    import sqlalchemy.exc  # noqa: F401

    import autograder.feedback  # noqa: F401

    _autograde_preprocessors()


def _ready() -> None:
    """A no-op task: submitting it makes the pool start a worker (which runs ``_init_worker``)."""


def _failed(s: Submission, detail: str, run: dict) -> dict:
    result = {"learner": s.learner, "assignment": s.assignment, "key": s.key, "digest": s.digest,
              "source": source_digest(s.assignment), "note": s.note, "status": "crashed", "cells": {}, "score": 0.0,
              "max_score": _max_score(s.assignment), "seconds": 0, "execution_seconds": 0,
              "reason": "The grader could not process this notebook (score 0); your instructor will look at it.",
              "log_tail": detail[-3000:]}
    _publish(result, Path(run["subs"]) / s.key, Path(run["out"]))
    return result


def _merge(results: list[dict], out: Path, template: Path, db_url: str | None, nbgrader) -> None:
    """Rebuild the gradebook from the results, export it with nbgrader's CSV exporter, and copy
    the autograded notebooks next to it."""
    from nbgrader.api import Gradebook, MissingEntry

    workspace = out / "workspace"
    workspace.mkdir(exist_ok=True)
    final = workspace / "gradebook.db"
    if db_url:
        url = db_url
        # The assignments' cells and checksums, written by nbgrader itself into that database.
        scratch = out / ".work" / "db-release"
        shutil.rmtree(scratch, ignore_errors=True)
        for assignment in sorted({r["assignment"] for r in results if r["cells"]}):
            nbgrader("generate_assignment", assignment, "--force", f"--CourseDirectory.db_url={db_url}",
                     f"--CourseDirectory.release_directory={scratch}", workspace=out / ".work" / "db-workspace")
    else:
        pending = workspace / "gradebook.db.tmp"
        shutil.copyfile(template / "gradebook.db", pending)
        url = f"sqlite:///{pending}"
    with _alembic_in_process(), Gradebook(url) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush chatter when replacing a submission
        for r in results:
            if not r["cells"] or r["status"] == "invalid":
                continue
            gb.update_or_create_student(r["learner"])
            try:
                gb.find_submission(r["assignment"], r["learner"])
                gb.remove_submission(r["assignment"], r["learner"])
                gb.db.commit()
            except MissingEntry:
                pass
            submission = gb.add_submission(r["assignment"], r["learner"])
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in r["cells"] and grade.max_score_gradecell is not None:
                        grade.auto_score = r["cells"][grade.name][0]
                        grade.needs_manual_grade = False
            gb.db.commit()
    if not db_url:
        os.replace(pending, final)
        url = f"sqlite:///{final}"
    # nbgrader's own CSV export of the gradebook, the file nbgrader users' LMS scripts expect.
    from nbgrader.plugins import CsvExportPlugin

    with _alembic_in_process(), Gradebook(url) as gb:
        CsvExportPlugin(to=str(out / "nbgrader-grades.csv")).export(gb)
    for r in results:
        graded = out / ".work" / "subs" / r["key"] / "autograded" / r["learner"] / r["assignment"]
        if graded.exists():
            shutil.copytree(graded, workspace / "autograded" / r["learner"] / r["assignment"], dirs_exist_ok=True)


def _write_tables(results: list[dict], out: Path) -> Path:
    grades = out / "grades.csv"
    tmp = grades.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["learner_id", "assignment", "score", "max_score", "status", "reason"])
        for r in sorted(results, key=lambda r: (r["learner"], r["assignment"])):
            reason = " ".join(x for x in (r["reason"], r.get("note", "")) if x)
            writer.writerow([r["learner"], r["assignment"], f"{r['score']:g}", f"{r['max_score']:g}",
                             r["status"], reason])
    os.replace(tmp, grades)
    with (out / "competencies.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["learner_id", "assignment", "competency", "score", "max_score"])
        for r in sorted(results, key=lambda r: (r["learner"], r["assignment"])):
            for competency, (score, maximum) in competency_scores(r).items():
                writer.writerow([r["learner"], r["assignment"], competency, f"{score:g}", f"{maximum:g}"])
            _competency_page(r, out)
    return grades


def competency_scores(result: dict) -> dict[str, tuple[float, float]]:
    if result["assignment"] not in assignments():
        return {}
    tags = competencies(result["assignment"])
    sums: dict[str, list[float]] = {}
    for grade_id, tag in tags.items():
        score, maximum = result["cells"].get(grade_id, [0.0, None])
        if maximum is None:
            maximum = _points(result["assignment"], grade_id)
        entry = sums.setdefault(tag, [0.0, 0.0])
        entry[0] += score or 0.0
        entry[1] += maximum or 0.0
    return {k: (v[0], v[1]) for k, v in sorted(sums.items())}


def _points(assignment: str, grade_id: str) -> float:
    for c in source_cells(assignment):
        if c["metadata"]["nbgrader"]["grade_id"] == grade_id:
            return float(c["metadata"]["nbgrader"].get("points", 0))
    return 0.0


def _competency_page(result: dict, out: Path) -> None:
    scores = competency_scores(result)
    folder = out / "feedback" / result["learner"] / result["assignment"]
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{s:g} / {m:g}</td><td>{(100 * s / m if m else 0):.0f} %</td></tr>"
        for k, (s, m) in scores.items())
    (folder / "competencies.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Competencies</title></head><body>"
        f"<h1>{html.escape(result['assignment'])}: your score per competency</h1>"
        f"<p>{html.escape(result['learner'])} — total {result['score']:g} / {result['max_score']:g} "
        f"({html.escape(result['status'])})</p>"
        f"<table border=1 cellpadding=4><tr><th>competency</th><th>points</th><th>%</th></tr>{rows}</table>"
        "</body></html>")


def default_out() -> Path:
    return Path(f"grading-{dt.datetime.now():%Y%m%d-%H%M%S}")
