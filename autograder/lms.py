"""Grades into the LMS: a run's results written as files Canvas and Moodle import.

Canvas: the instructor exports the gradebook (Grades > Export), we fill this run's cells in that
very file and they import it back (Grades > Import). Filling the export, rather than writing a
file of our own, keeps everything Canvas checks on import as Canvas wrote it: the student
columns, the ``Points Possible`` and ``Manual Posting`` rows, the read-only totals, the column
separator (``,`` or ``;``), line ends and byte-order mark. Canvas' importer (lib/gradebook_importer.rb)
reads a blank cell where it holds a grade as a change, so a cell is only ever cleared by a grade
of this run, never because a learner has no result.

Moodle: its grade import (Grades > Import > CSV file) takes an identifier column and a column per
grade item, mapped to grade items in its form. Every learner in the file must exist in Moodle or
the whole import stops, so a roster exported from Moodle's gradebook decides who is written; an
empty cell means "no grade" there (an existing grade is removed).

Every roster problem is found before anything is written and named by file, line and what to do.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal, get_args

from autograder import course
from autograder.results import Result, atomic_write
from coursekit.exam import split_attempt_submission

BOM = "\ufeff"
Missing = Literal["empty", "zero"]        # what a roster learner without a result gets
# The student columns of a Canvas export: never an assignment, whatever they are named like.
CANVAS_INFO = {"Student", "LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID", "Integration ID",
               "Root Account", "Section"}
# Canvas' own test for the row of manually posted (formerly muted) assignments.
_POSTING_ROW = re.compile(r"^\s*(Muted|Manual Posting.*)?\s*$", re.I)
_CANVAS_ID = re.compile(r"\s*\(\d+\)\s*$")
# The Student View user Canvas adds to every export (no SIS User ID): never a learner to grade.
_TEST_STUDENT = {"Student, Test", "Test Student"}
MOODLE_COLUMNS = {"username": "Username", "email": "Email address", "idnumber": "ID number"}


class RosterError(ValueError):
    """An LMS export that cannot be filled in: the message names the file, the line and the fix."""


@dataclasses.dataclass
class LmsExport:
    """What was written, and every result that was not (nothing is dropped without a word)."""

    path: Path
    filled: int = 0                                           # cells written from a result
    no_submission: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (learner, assignment)
    unmatched: list[Result] = dataclasses.field(default_factory=list)   # learner on no roster row
    unplaced: list[Result] = dataclasses.field(default_factory=list)    # assignment with no column
    other_attempts: list[Result] = dataclasses.field(default_factory=list)  # a better attempt was written
    no_column: list[str] = dataclasses.field(default_factory=list)      # course assignments with no column


@dataclasses.dataclass
class _Table:
    """A CSV file as read, with what it takes to write it back the same way."""

    path: Path
    header: list[str]                          # as written in the file
    names: list[str]                           # the same, stripped
    rows: list[list[str]]                      # every row after the header
    lines: list[int]                           # the file's line number of each row
    delimiter: str
    newline: str
    bom: bool

    def error(self, message: str, *lines: int) -> RosterError:
        where = f"line {lines[0]}" if len(lines) == 1 else f"lines {' and '.join(map(str, lines))}"
        return RosterError(f"{self.path}, {where}: {message}")


@dataclasses.dataclass
class CanvasRoster:
    """A Canvas gradebook export, checked: which row is which learner, which column which assignment."""

    table: _Table
    match_column: str
    learners: dict[int, str]                   # row index -> match value (stripped), learner rows only
    columns: dict[str, int]                    # course assignment -> column index
    points: dict[int, float]                   # column index -> points possible, where the row says


def read_canvas_roster(path: Path | str, match_column: str = "SIS Login ID") -> CanvasRoster:
    """Read and check a gradebook exported from Canvas; ``match_column`` holds what ``Result.learner`` is."""
    table = _read(Path(path), ("Student", "LastName"), ",;")
    header = table.names
    missing = [c for c in ("ID", match_column) if c not in header]
    if "Student" not in header and not {"LastName", "FirstName"} <= set(header):
        missing.insert(0, "Student")
    if missing:
        hint = (" Canvas exports SIS columns only to users allowed to see SIS data; otherwise match on "
                "'ID' (the Canvas user id)." if match_column.startswith("SIS") else "")
        raise table.error(f"no column {', '.join(map(repr, missing))} in the header {header}. Export the whole "
                          f"gradebook from Canvas (Grades > Export) and pass it unchanged.{hint}", 1)
    key = header.index(match_column)
    columns: dict[str, int] = {}
    wanted = {_name(a): a for a in course.assignments()}
    for index, title in enumerate(header):
        assignment = None if title in CANVAS_INFO else wanted.get(_name(_CANVAS_ID.sub("", title)))
        if assignment in columns:
            raise table.error(f"columns {header[columns[assignment]]!r} and {title!r} are both assignment "
                              f"{assignment}; rename or delete one of them in Canvas and export again.", 1)
        if assignment:
            columns[assignment] = index
    if not columns:
        others = [c for c in header if c not in CANVAS_INFO]
        raise table.error(f"no column is a course assignment; the columns are {others}. Name each Canvas "
                          f"assignment after its id ({', '.join(course.assignments())}; spaces for '_' are "
                          "fine, Canvas adds ' (<id>)'), then export the gradebook again.", 1)
    learners: dict[int, str] = {}
    seen: dict[str, int] = {}
    points: dict[int, float] = {}
    for index, row in enumerate(table.rows):
        line = table.lines[index]
        if row and row[0].strip() == "Points Possible":
            points = {c: p for c in columns.values() if (p := _number(_cell(row, c))) is not None}
            continue
        if all(_POSTING_ROW.match(cell) for cell in row):    # Manual Posting row, or a blank line
            continue
        name = ", ".join(c.strip() for c in row[:2]) if header[:2] == ["LastName", "FirstName"] else row[0].strip()
        if name in _TEST_STUDENT:
            continue
        value = _cell(row, key).strip()
        if not value:
            raise table.error(f"{row[0]!r} has no {match_column}. Give them one in Canvas, match on another "
                              "column (e.g. 'ID'), or delete the row, then try again.", line)
        if value in seen:
            raise table.error(f"the {match_column} {value!r} is on both lines; every learner needs their own. "
                              "Fix it in Canvas (or match on another column, e.g. 'ID') and export again.",
                              table.lines[seen[value]], line)
        seen[value] = index
        learners[index] = value
    return CanvasRoster(table, match_column, learners, columns, points)


def write_canvas(roster: CanvasRoster, results: Iterable[Result], path: Path | str,
                 missing: Missing = "empty") -> LmsExport:
    """The roster's file with this run's cells filled, for Canvas' Grades > Import.

    Scores are scaled to the column's points possible (score / max_score * points, 2 decimals), or
    written raw when the export gives none. A roster learner without a result keeps the cell Canvas
    exported; with ``missing="zero"`` an empty one becomes 0. Other columns are untouched.
    """
    _check(missing)
    table = roster.table
    done = LmsExport(Path(path))
    cells, run = _place(roster.learners, results, done, lambda r: r.assignment in roster.columns)
    done.no_column = sorted({r.assignment for r in done.unplaced if r.assignment in course.assignments()})
    rows = [list(row) for row in table.rows]
    for index, learner in roster.learners.items():
        for assignment in run:
            column = roster.columns[assignment]
            result = cells.get((index, assignment))
            if result is None:
                done.no_submission.append((learner, assignment))
                if missing == "empty" or _cell(rows[index], column).strip():
                    continue
                value = "0"
            else:
                value = _format(_scaled(result, roster.points.get(column)))
                done.filled += 1
            rows[index] += [""] * (column + 1 - len(rows[index]))
            rows[index][column] = value
    _write(done.path, [table.header, *rows], table.delimiter, table.newline, table.bom)
    return done


def write_moodle(results: Iterable[Result], path: Path | str, identifier: str = "username",
                 roster: Path | str | None = None, missing: Missing = "empty") -> LmsExport:
    """A CSV for Moodle's grade import: ``identifier`` and one column per assignment of the run.

    Map the first column to Moodle's user field of the same name ("Map from"/"Map to") and each
    assignment column to its grade item; scores are raw (points out of ``max_score``). With
    ``roster`` (Moodle's gradebook export, or any CSV with the identifier's column: 'Username',
    'Email address' or 'ID number'), exactly its learners are written, in its order; otherwise
    every learner with a result, sorted. A missing grade is an empty cell (no grade) or 0.
    """
    _check(missing)
    results = list(results)
    done = LmsExport(Path(path))
    if roster is None:
        learners = dict(enumerate(sorted({split_attempt_submission(r.learner.strip())[0] for r in results
                                          if r.assignment in course.assignments()})))
    else:
        learners = _moodle_learners(Path(roster), MOODLE_COLUMNS.get(identifier, identifier))
    cells, run = _place(learners, results, done, lambda r: r.assignment in course.assignments())
    rows: list[list[str]] = [[identifier, *run]]
    for index, learner in learners.items():
        row = [learner]
        for assignment in run:
            result = cells.get((index, assignment))
            if result is None:
                done.no_submission.append((learner, assignment))
                row.append("" if missing == "empty" else "0")
            else:
                done.filled += 1
                row.append(_format(result.final_score))
        rows.append(row)
    _write(done.path, rows)
    return done


def check_moodle_roster(path: Path | str, identifier: str = "username") -> None:
    """Raise ``RosterError`` now, before any grading, for a Moodle roster ``write_moodle`` would refuse."""
    _moodle_learners(Path(path), MOODLE_COLUMNS.get(identifier, identifier))


def _moodle_learners(path: Path, column: str) -> dict[int, str]:
    """Row index -> identifier of every learner in a Moodle export, checked like Canvas' roster."""
    table = _read(path, (column,), ",;\t")
    if column not in table.names:
        raise table.error(f"no column {column!r} in the header {table.names}. Export the gradebook with that "
                          "user field, or choose the identifier it has ('username' -> 'Username', "
                          "'email' -> 'Email address', 'idnumber' -> 'ID number').", 1)
    key = table.names.index(column)
    learners: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        line = table.lines[index]
        if not any(cell.strip() for cell in row):
            continue
        value = _cell(row, key).strip()
        if not value:
            raise table.error(f"this learner has no {column}; fill it in Moodle or delete the row.", line)
        if value in seen:
            raise table.error(f"the {column} {value!r} is on both lines; every learner needs their own.",
                              table.lines[seen[value]], line)
        seen[value] = index
        learners[index] = value
    return learners


def best_attempts(results: Iterable[Result]) -> tuple[list[Result], list[Result]]:
    """One result per learner and assignment for the LMS, which has one cell for it: timed attempts at
    the mock exam (``<learner>+attempt-<N>``, graded as submissions of their own) and a plain submission
    of the same learner compete, and the best final score is written under the learner's own id (a graded
    one before any other; on a tie, the later attempt). Returns (the results to write, those set aside)."""
    groups: dict[tuple[str, str], list[tuple[Result, int]]] = {}
    for result in results:
        learner, attempt = split_attempt_submission(result.learner.strip())
        groups.setdefault((learner, result.assignment), []).append((result, attempt or 0))
    written, others = [], []
    for (learner, _), group in groups.items():
        best, _ = max(group, key=lambda entry: (entry[0].status == "graded", entry[0].final_score, entry[1]))
        written.append(best if best.learner.strip() == learner else dataclasses.replace(best, learner=learner))
        others += [result for result, _ in group if result is not best]
    return written, others


def _place(learners: dict[int, str], results: Iterable[Result], done: LmsExport,
           has_column: Callable[[Result], bool]) -> tuple[dict[tuple[int, str], Result], list[str]]:
    """Which result goes into which (row, assignment) cell, and the run's assignments that have a
    column; results that fit nowhere are put into ``done``. An exact learner id beats one that only
    matches ignoring case; an ambiguous or colliding one is unmatched. Of a learner's mock exam
    attempts, only the best is placed (``best_attempts``); the others are listed in ``done``."""
    results, done.other_attempts = best_attempts(results)
    exact = {learner: index for index, learner in learners.items()}
    folded: dict[str, list[int]] = {}
    for index, learner in learners.items():
        folded.setdefault(learner.casefold(), []).append(index)
    cells: dict[tuple[int, str], Result] = {}
    later = []
    for result in results:
        if not has_column(result):
            done.unplaced.append(result)
        elif (index := exact.get(result.learner.strip())) is not None:
            cells[(index, result.assignment)] = result
        else:
            later.append(result)
    for result in later:
        rows = folded.get(result.learner.strip().casefold(), [])
        if len(rows) == 1 and (rows[0], result.assignment) not in cells:
            cells[(rows[0], result.assignment)] = result
        else:
            done.unmatched.append(result)
    run = sorted({r.assignment for r in [*cells.values(), *done.unmatched]})
    return cells, run


def _read(path: Path, names: tuple[str, ...], delimiters: str) -> _Table:
    """A CSV file's rows with their line numbers; the delimiter is the one whose header has one of
    ``names`` (Canvas and Moodle both export with ';' in some locales)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise RosterError(f"{path}: cannot read it ({error.strerror}).") from None
    except UnicodeDecodeError as error:
        raise RosterError(f"{path}, byte {error.start}: not UTF-8 text; export it again as CSV (UTF-8), "
                          "or save it from a spreadsheet as 'CSV UTF-8'.") from None
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in delimiters if set(names) & {c.strip() for c in _row(first, d)}), delimiters[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, lines = [], []
    try:
        while True:
            line = reader.line_num + 1
            row = next(reader)
            rows.append(row)
            lines.append(line)
    except StopIteration:
        pass
    except csv.Error as error:
        raise RosterError(f"{path}, line {reader.line_num}: not valid CSV ({error}).") from None
    if not rows:
        raise RosterError(f"{path}, line 1: the file is empty; export the gradebook again.")
    newline = "\r\n" if first.endswith("\r") else "\n"
    return _Table(path, rows[0], [c.strip() for c in rows[0]], rows[1:], lines[1:], delimiter, newline, bom)


def _row(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _write(path: Path, rows: list[list[str]], delimiter: str = ",", newline: str = "\n", bom: bool = False) -> None:
    """Atomically (an import never sees half a file), in the input's dialect and encoding."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL).writerows(rows)
    atomic_write(path, text.getvalue().encode("utf-8-sig" if bom else "utf-8"))


def _scaled(result: Result, points: float | None) -> float:
    """The final score (late policy applied) in Canvas' points: a column may be worth more or less
    than the notebook's points."""
    if points is None or result.max_score <= 0:
        return result.final_score
    return result.final_score / result.max_score * points


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _name(title: str) -> str:
    """An assignment's name as compared: case, '_' or ' ' and repeated spaces do not matter."""
    return " ".join(title.replace("_", " ").split()).casefold()


def _number(text: str) -> float | None:
    """A number as Canvas writes it: '10.00', or '10,00' in a locale with a decimal comma."""
    text = text.strip()
    if not re.fullmatch(r"-?[0-9.,]+", text):
        return None
    *whole, last = re.split(r"[.,]", text)
    try:
        return float(f"{''.join(whole)}.{last}" if whole else last)
    except ValueError:
        return None


def _format(score: float) -> str:
    """Two decimals at most, '.' as the decimal point, no exponent: '8.5', '10', '0'."""
    rounded = round(score, 2)
    return f"{rounded:.2f}".rstrip("0").rstrip(".") if rounded else "0"   # never '-0'


def _check(missing: str) -> None:
    if missing not in get_args(Missing):
        raise ValueError(f"missing={missing!r}: say 'empty' or 'zero'")
