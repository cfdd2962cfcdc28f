"""The mock exam seen from the whole cohort: each learner's readiness per competency, and every
bank item's difficulty and discrimination from the graded attempts, for the instructor report.

Each graded submission of the exam is one attempt. A timed attempt, submitted from its
``attempt-<N>`` folder, is graded as ``<learner>+attempt-<N>``; any other submission says its
number in the notebook: the attempt record written when it was started
(``metadata.course.attempt.attempt``), else the ``ATTEMPT = n`` line its paper was drawn with.
Which item a slot showed is drawn again from the learner id and the attempt
(``coursekit.exam.draw_item``), exactly as the paper and its hidden tests drew it.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import json
from collections.abc import Iterable
from pathlib import Path

from autograder import course
from autograder.results import Result
from coursekit import readiness
from coursekit.exam import draw_item, normalise_attempt, normalise_id, split_attempt_submission
from coursekit.exam_bank import SLOTS


@dataclasses.dataclass(frozen=True)
class ExamFacts:
    """What the report says about the mock exam: the cohort's readiness and the item statistics."""

    assignment: str
    attempts: int
    fragment: str              # HTML, from coursekit.readiness.cohort_fragment
    pages: dict[str, str]      # learner -> their readiness page over their graded attempts (HTML)


def exam_assignment() -> str | None:
    """The assignment whose graded cells are the bank's slots (module 09)."""
    wanted = {cell for slot in SLOTS.values() for cell in slot.test_cells}
    return next((a for a in course.assignments() if wanted <= set(course.points(a))), None)


def attempt_of(notebook: bytes) -> int:
    """The attempt a submitted exam notebook was drawn for (1 when it does not say)."""
    try:
        parsed = json.loads(notebook)
        cells = parsed.get("cells", [])
        recorded = parsed.get("metadata", {}).get("course", {}).get("attempt", {})
    except (ValueError, AttributeError):
        return 1
    if isinstance(recorded, dict) and recorded.get("attempt") is not None:
        try:
            return normalise_attempt(recorded["attempt"])
        except ValueError:
            pass
    found = 1
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        if "ATTEMPT" not in source:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            names = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
            if isinstance(node, ast.Assign) and "ATTEMPT" in names and isinstance(node.value, ast.Constant):
                try:
                    found = normalise_attempt(node.value.value)
                except ValueError:
                    pass
    return found


def exam_facts(results: Iterable[Result], notebooks: dict[str, bytes]) -> ExamFacts | None:
    """The cohort's readiness and the item statistics from the graded exam attempts in ``results``
    (``notebooks``: result key -> the submitted notebook); None when none was graded."""
    assignment = exam_assignment()
    graded = [r for r in results if r.assignment == assignment and r.status == "graded" and r.max_score > 0]
    if assignment is None or not graded:
        return None
    cohort: dict[str, list[readiness.AttemptScore]] = {}
    responses = []
    for r in graded:
        # A timed attempt is graded as <learner>+attempt-<N>: one learner, attempt N.
        base, numbered = split_attempt_submission(r.learner)
        attempt = numbered or attempt_of(notebooks.get(r.key, b"{}"))
        learner = normalise_id(base)  # the id the grader's paper was seeded with
        finished = (r.late.submitted_at if r.late and r.late.submitted_at else None) or datetime.datetime.now(
            datetime.UTC)
        cohort.setdefault(base, []).append(readiness.AttemptScore(attempt, finished, dict(r.competencies)))
        for name, slot in SLOTS.items():
            earned = sum((r.cells.get(c, (0.0, 0.0))[0] or 0.0) for c in slot.test_cells)
            possible = sum(course.points(assignment)[c] for c in slot.test_cells)
            responses.append(readiness.ItemResponse(base, attempt, draw_item(learner, name, attempt).id,
                                                    earned, possible, r.score / r.max_score))
    for scores in cohort.values():
        scores.sort(key=lambda s: s.attempt)
    return ExamFacts(assignment=assignment, attempts=len(graded),
                     fragment=readiness.cohort_fragment(cohort, responses),
                     pages={learner: readiness.readiness_page(learner, scores) for learner, scores in cohort.items()})


def readiness_page_path(out: Path, learner: str) -> Path:
    """Where a learner's readiness page over their graded attempts goes, beside their feedback."""
    return out / "feedback" / learner / "readiness.html"
