"""What travels between the grading client and its workers, and how a result is kept.

A ``Task`` goes out: the submission itself (bytes and learner id) and the digest of the course it
expects, so that any worker can grade it and one with another checkout refuses it. A ``Graded``
comes back: the typed ``Result`` with the feedback page and the autograded notebook. The client
``record``s it in ``OUT``: files first, then the result atomically, so a result on disk means
everything is there and a killed client is finished by running the same command again.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
from pathlib import Path

from autograder import course
from autograder.deadlines import Lateness
from autograder.sandbox import Limits

STATUSES = ("graded", "timeout", "crashed", "invalid")


@dataclasses.dataclass(frozen=True)
class Settings:
    """How every task of a run is graded (the same for all of them)."""

    cell_timeout: int = course.CELL_TIMEOUT
    limits: Limits = dataclasses.field(default_factory=Limits)
    sandbox: bool = True                       # a worker that cannot build the sandbox refuses
    hidden: tuple[str, ...] = ()               # folders never to be seen from a sandbox
    warm: bool = True                          # kernels forked from a warm template (autograder/warm.py)


@dataclasses.dataclass(frozen=True)
class Task:
    """One submission to grade, self-contained: a worker needs nothing of the client's disk."""

    learner: str
    assignment: str
    notebook: bytes
    digest: str                                # sha256 of ``notebook``
    source: str                                # course.source_digest(assignment) on the client
    note: str                                  # said to the learner next to the grade
    settings: Settings

    @property
    def key(self) -> str:
        return result_key(self.learner, self.assignment)


def result_key(learner: str, assignment: str) -> str:
    return f"{learner}__{assignment or 'unknown'}"


@dataclasses.dataclass(frozen=True)
class Override:
    """An instructor's points for one test cell of one learner's submission, with the reason
    (a row of OUT/overrides.csv; autograder/overrides.py reads and applies them)."""

    learner: str
    assignment: str
    cell: str                                  # the test cell's grade_id
    points: float
    reason: str
    date: str = ""
    line: int = 0                              # in overrides.csv (0: not from the file)
    graded: float | None = None                # what the autograder gave the cell, once applied


# Decided at every rebuild from OUT/overrides.csv and the late policy, never recorded: the kept
# result stays what the autograder gave, so removing an override or a policy gives it back.
ADJUSTMENTS = ("overrides", "late")


@dataclasses.dataclass
class Result:
    """The grade of one learner's submission of one assignment (one row of grades.csv)."""

    learner: str
    assignment: str
    digest: str                                # of the notebook graded
    source: str                                # of the course it was graded with
    status: str                                # one of STATUSES
    reason: str                                # for the learner, in words they can act on
    score: float
    max_score: float
    cells: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    competencies: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    note: str = ""
    worker: str = ""                           # which worker graded it
    worker_tasks_before: int | None = None     # tasks that worker had graded before (0: its first,
                                               # which also pays the worker's set-up)
    seconds: float = 0.0                       # autograde, kernel included
    execution_seconds: float = 0.0             # kernel start to shutdown
    kernel_start_seconds: float = 0.0          # of which: until the kernel answered
    first_cell_seconds: float = 0.0            # of which: the first code cell (the course's imports)
    feedback_seconds: float = 0.0
    log_tail: str = ""                         # for the instructor, when nbgrader could not grade
    overrides: tuple[Override, ...] = ()       # applied to cells and score (see ADJUSTMENTS)
    late: Lateness | None = None               # the late policy's verdict (see ADJUSTMENTS)

    @property
    def key(self) -> str:
        return result_key(self.learner, self.assignment)

    @property
    def final_score(self) -> float:
        """The score after the late policy: what goes to the LMS."""
        return self.late.final_score(self.score) if self.late else self.score

    @property
    def penalty(self) -> float:
        return self.score - self.final_score

    def with_competencies(self) -> Result:
        """This result with its points summed per competency tag of the course."""
        sums: dict[str, list[float]] = {}
        if self.assignment in course.assignments():
            points = course.points(self.assignment)
            for grade_id, tag in course.competencies(self.assignment).items():
                score, maximum = self.cells.get(grade_id, (0.0, points[grade_id]))
                entry = sums.setdefault(tag, [0.0, 0.0])
                entry[0] += score or 0.0
                entry[1] += maximum or 0.0
        return dataclasses.replace(self, competencies={k: (s, m) for k, (s, m) in sorted(sums.items())})

    def to_json(self) -> str:
        if self.overrides or self.late:
            raise ValueError("an adjusted result is never recorded: record what the autograder gave")
        return json.dumps({f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                           if f.name not in ADJUSTMENTS}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Result:
        raw = {k: v for k, v in json.loads(text).items() if k not in ADJUSTMENTS}
        for field in ("cells", "competencies"):
            raw[field] = {k: tuple(v) for k, v in raw[field].items()}
        return cls(**raw)


@dataclasses.dataclass
class Graded:
    """A worker's answer: the result, and the files the learner and the instructor read."""

    result: Result
    feedback_html: str | None = None           # nbgrader's feedback page; None: a status page is made
    autograded: bytes | None = None            # the autograded notebook, when nbgrader wrote one


def failed(task: Task, reason: str, detail: str, worker: str = "") -> Graded:
    """A submission the grader could not process (score 0), with what went wrong for the instructor."""
    return Graded(Result(
        learner=task.learner, assignment=task.assignment, digest=task.digest, source=task.source,
        status="crashed", reason=reason, score=0.0, max_score=course.max_score(task.assignment),
        note=task.note, worker=worker, log_tail=detail[-3000:]))


def results_dir(out: Path) -> Path:
    return out / ".work" / "results"


def autograded_path(out: Path, key: str) -> Path:
    return out / ".work" / "autograded" / f"{key}.ipynb"


def feedback_page(out: Path, learner: str, assignment: str) -> Path:
    return out / "feedback" / learner / assignment / f"{assignment}.html"


def original_page(out: Path, key: str) -> Path:
    """The feedback page as graded; the published one adds the instructor's notes (merge.py)."""
    return out / ".work" / "pages" / f"{key}.html"


def record(out: Path, graded: Graded) -> Result:
    """Keep a graded submission in ``out``: feedback page and autograded notebook first, then the
    result (atomically, competencies summed), so a result on disk means everything is there."""
    result = graded.result.with_competencies()
    page = (graded.feedback_html or _status_page(result)).encode()
    atomic_write(original_page(out, result.key), page)
    atomic_write(feedback_page(out, result.learner, result.assignment), page)
    notebook = autograded_path(out, result.key)
    if graded.autograded is not None:
        atomic_write(notebook, graded.autograded)
    else:
        notebook.unlink(missing_ok=True)
    atomic_write(results_dir(out) / f"{result.key}.json", result.to_json().encode())
    return result


def kept(out: Path, learner: str, assignment: str, digest: str) -> bool:
    """Whether ``out`` holds the result of grading these bytes against the current sources."""
    try:
        result = Result.from_json((results_dir(out) / f"{result_key(learner, assignment)}.json").read_text())
    except (OSError, ValueError, TypeError, KeyError):
        return False
    return result.digest == digest and result.source == course.source_digest(assignment)


def load(out: Path, keys: set[str]) -> list[Result]:
    """The recorded results of these keys, sorted by learner and assignment."""
    found = []
    for key in sorted(keys):
        try:
            found.append(Result.from_json((results_dir(out) / f"{key}.json").read_text()))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return sorted(found, key=lambda r: (r.learner, r.assignment))


def load_all(out: Path) -> list[Result]:
    """Every result recorded in ``out``."""
    return load(out, {p.stem for p in results_dir(out).glob("*.json")})


def atomic_write(path: Path, data: bytes) -> None:
    """Written under a temporary name, synced and renamed: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pending = path.with_name(path.name + ".tmp")
    with pending.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(pending, path)


def _status_page(result: Result) -> str:
    """The feedback page of a submission nbgrader could not grade: the score and the reason."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback</title></head><body>"
        f"<h1>{html.escape(result.assignment or 'Submission')} — {html.escape(result.learner)}</h1>"
        f"<p><b>Score: {result.score:g} / {result.max_score:g}</b> ({html.escape(result.status)})</p>"
        f"<p>{html.escape(result.reason)}</p><p>{html.escape(result.note)}</p></body></html>"
    )
