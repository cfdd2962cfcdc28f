"""An instructor's overrides: points set by hand on one test cell of one learner's submission.

They live in ``OUT/overrides.csv`` (``learner_id,assignment,cell,points,reason,date``), written
by ``python -m autograder override`` or by hand, and are applied to the recorded results at every
rebuild: the recorded result itself is never edited, so deleting a row gives the grade back.
Several rows for the same cell are a history: the last one applies, the earlier ones are listed
as superseded. Each applied override is shown in the learner's feedback, listed in the report
with its reason and written to nbgrader's gradebook as the cell's manual score (formgrader shows
it beside the autograded one).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import math
from collections.abc import Iterable
from pathlib import Path

from autograder import course
from autograder.results import Override, Result, atomic_write

FILE = "overrides.csv"
COLUMNS = ("learner_id", "assignment", "cell", "points", "reason", "date")
REQUIRED = COLUMNS[:5]


class OverrideError(ValueError):
    """overrides.csv (or a new override) cannot be applied: the message names the line and the fix."""


def path(out: Path) -> Path:
    return Path(out) / FILE


def read(out: Path, submitted: Iterable[tuple[str, str]] | None = None) -> list[Override]:
    """Every row of ``OUT/overrides.csv``, checked: the cell is a graded cell of the assignment, the
    points are within its range, there is a reason, and (given ``submitted``, the (learner,
    assignment) pairs of this run) the learner submitted that assignment."""
    file = path(out)
    if not file.exists():
        return []
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise OverrideError(f"{file}: cannot be read ({error}); save it as UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise OverrideError(f"{file}: line 1 has no column {', '.join(missing)}; the header must be "
                            f"{','.join(COLUMNS)}")
    pairs = set(submitted) if submitted is not None else None
    found = []
    for row in reader:
        line = reader.line_num
        values = {k: (row.get(k) or "").strip() for k in COLUMNS}
        if not any(values.values()):
            continue
        found.append(check(values["learner_id"], values["assignment"], values["cell"], values["points"],
                           values["reason"], values["date"], pairs, f"{file}: line {line}", line))
    return found


def check(learner: str, assignment: str, cell: str, points: str | float, reason: str, date: str,
          submitted: set[tuple[str, str]] | None, where: str, line: int = 0) -> Override:
    """One override, checked (``where`` starts each error message)."""
    if assignment not in course.assignments():
        raise OverrideError(f"{where}: no assignment {assignment!r}; the course has {', '.join(course.assignments())}")
    cells = course.points(assignment)
    if cell not in cells:
        raise OverrideError(f"{where}: {assignment} has no graded cell {cell!r}; its graded cells are "
                            f"{', '.join(cells)}")
    try:
        value = float(points)
    except ValueError:
        raise OverrideError(f"{where}: points {points!r} is not a number; write e.g. 1.5") from None
    if not (math.isfinite(value) and 0 <= value <= cells[cell]):
        raise OverrideError(f"{where}: {value:g} points is outside 0..{cells[cell]:g}, the range of {cell}")
    if not reason:
        raise OverrideError(f"{where}: no reason given; an override needs one (it is shown to the learner "
                            "and in the report)")
    if not learner:
        raise OverrideError(f"{where}: no learner_id")
    if submitted is not None and (learner, assignment) not in submitted:
        raise OverrideError(f"{where}: {learner!r} has no submission of {assignment} in this run; check the "
                            "learner id (as in grades.csv)")
    return Override(learner=learner, assignment=assignment, cell=cell, points=value, reason=reason,
                    date=date, line=line)


def append(out: Path, override: Override) -> None:
    """Add ``override`` at the end of ``OUT/overrides.csv`` (created with its header when missing)."""
    file = path(out)
    before = file.read_text(encoding="utf-8-sig") if file.exists() else ""
    if before and not before.endswith("\n"):
        before += "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not before:
        writer.writerow(COLUMNS)
    date = override.date or datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    writer.writerow([override.learner, override.assignment, override.cell, f"{override.points:g}",
                     override.reason, date])
    atomic_write(file, (before + buffer.getvalue()).encode())


def apply(results: list[Result], overrides: list[Override]) -> list[Result]:
    """The results with every override applied: the cell's points replaced, the score and the
    competencies summed again, the override (and what it replaced) kept on the result."""
    latest: dict[tuple[str, str, str], Override] = {}
    for o in overrides:
        latest[(o.learner, o.assignment, o.cell)] = o  # the last row for a cell is the decision
    applied = []
    for result in results:
        mine = [o for key, o in latest.items() if key[:2] == (result.learner, result.assignment)]
        if not mine:
            applied.append(result)
            continue
        cells = dict(result.cells)
        points = course.points(result.assignment)
        kept, score = [], result.score
        for o in mine:
            graded = cells.get(o.cell, (0.0, points[o.cell]))[0] or 0.0
            cells[o.cell] = (o.points, points[o.cell])
            score += o.points - graded
            kept.append(dataclasses.replace(o, graded=graded))
        applied.append(dataclasses.replace(result, cells=cells, score=score, overrides=tuple(kept)).with_competencies())
    return applied


def superseded(overrides: list[Override]) -> list[Override]:
    """The rows a later row for the same cell replaced (listed in the report as history)."""
    last: dict[tuple[str, str, str], int] = {}
    for index, o in enumerate(overrides):
        last[(o.learner, o.assignment, o.cell)] = index
    return [o for index, o in enumerate(overrides) if last[(o.learner, o.assignment, o.cell)] != index]
