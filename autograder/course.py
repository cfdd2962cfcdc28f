"""The course as the grader sees it: where it lives, its assignments, their graded cells, points and
competency tags, and the digest of what a grade of each assignment is made from.

Everything here is read from ``solutions/`` (the single source of truth) and cached per process.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUTOGRADER = REPO / "autograder"
SOLUTIONS = REPO / "solutions"
RELEASE = REPO / "notebooks"

# A test cell that runs longer than this scores 0 (nbgrader's default is 30 s, too tight for a
# cross-validated search on a busy 2-core machine, and too loose to be left implicit).
CELL_TIMEOUT = 120
# nbgrader's gradebook rows belong to a course; PostgreSQL enforces that the course row exists,
# so the id must be set, and be the same in every gradebook the grader writes or reads.
COURSE_ID = "params-vs-hyperparams"

# What a grade depends on besides the assignment's own folder: the code its tests import, the
# data they read, the grader itself (configuration, sandbox, execution and scoring) and the pinned
# versions of what runs them.
SHARED_SOURCES = ("coursekit", "data", "autograder", "requirements.txt")
# The late policy decides final scores at every rebuild, not grades: editing it regrades nothing.
LATE_POLICY = AUTOGRADER / "late_policy.toml"
_NOT_SOURCES = {".ipynb_checkpoints", "__pycache__", "feedback", "workspace", LATE_POLICY.name}


@functools.cache
def assignments() -> tuple[str, ...]:
    """Assignment ids: every ``solutions/NN_slug/NN_slug.ipynb``, sorted."""
    return tuple(sorted(p.parent.name for p in SOLUTIONS.glob("*/*.ipynb") if p.stem == p.parent.name))


@functools.cache
def source_cells(assignment: str) -> tuple[dict, ...]:
    """The nbgrader cells of an assignment's source notebook (answer, locked and test cells)."""
    notebook = json.loads((SOLUTIONS / assignment / f"{assignment}.ipynb").read_text())
    return tuple(c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader"))


def graded_cells(assignment: str) -> dict[str, dict]:
    """grade_id -> source cell of every cell that carries points."""
    return {c["metadata"]["nbgrader"]["grade_id"]: c for c in source_cells(assignment)
            if c["metadata"]["nbgrader"].get("grade")}


def points(assignment: str) -> dict[str, float]:
    """grade_id -> points of every graded cell."""
    return {g: float(c["metadata"]["nbgrader"].get("points", 0)) for g, c in graded_cells(assignment).items()}


def max_score(assignment: str) -> float:
    return float(sum(points(assignment).values())) if assignment in assignments() else 0.0


def competencies(assignment: str) -> dict[str, str]:
    """grade_id -> competency tag (``metadata.course.competency``) of every graded cell."""
    return {g: c["metadata"].get("course", {}).get("competency", "untagged")
            for g, c in graded_cells(assignment).items()}


@functools.cache
def source_digest(assignment: str) -> str:
    """What a grade of ``assignment`` is made from, hashed: its folder in solutions/, the course
    package and data its tests use, the grader's code and nbgrader configuration, and the pinned
    requirements.

    A kept grade or a template made from other sources (a test fixed since) is stale, and a grading
    worker whose checkout gives another digest (another commit, an edited solution) refuses the
    task. An assignment that does not exist here has the digest ``"missing"``.
    """
    if assignment not in assignments():
        return "missing"
    digest = hashlib.sha256()
    for source in (SOLUTIONS / assignment, *(REPO / s for s in SHARED_SOURCES)):
        for path in [source] if source.is_file() else sorted(source.rglob("*")):
            relative = path.relative_to(REPO)
            if path.is_file() and not _NOT_SOURCES & set(relative.parts) and path.suffix != ".pyc":
                digest.update(f"{relative}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()
