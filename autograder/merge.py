"""Merging: the recorded results become nbgrader's gradebook, its CSV export, grades.csv,
competencies.csv and each learner's competency page.

Everything here is rebuilt from the results at every run, which is what makes reruns idempotent:
a fresh SQLite gradebook (a copy of the template, written under a temporary name and renamed), or
``--db-url`` (PostgreSQL, shared by several instructors), where each submission is replaced, one
merge at a time (a PostgreSQL advisory lock), so two cohorts merged at once lose and duplicate
nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import html
import os
import re
import shutil
from pathlib import Path

import sqlalchemy
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from autograder import course, nbgrader_calls
from autograder.results import Result, atomic_write, autograded_path, feedback_page, original_page
from autograder.template import Template

CONNECT_SECONDS = 5
MERGE_LOCK = 0x70617261  # PostgreSQL advisory lock key: one merge into a shared gradebook at a time


class DatabaseError(RuntimeError):
    """The gradebook database cannot be used: the message says what to fix."""


def _shown(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)  # never print a password


def _engine(url: str) -> sqlalchemy.Engine:
    try:
        parsed = sqlalchemy.engine.make_url(url)
        connect_args = {"connect_timeout": CONNECT_SECONDS} if parsed.get_backend_name() == "postgresql" else {}
        return sqlalchemy.create_engine(parsed, connect_args=connect_args)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise DatabaseError(f"--db-url {_shown(url)!r} is not a database URL SQLAlchemy can use ({error}); "
                            "write postgresql://user:password@host:5432/database or sqlite:////abs/path.db") from None


def check_database(url: str) -> None:
    """Fail now, before any grading, when the gradebook at ``url`` cannot be reached."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except SQLAlchemyError as error:
        first = str(getattr(error, "orig", error)).strip().splitlines()[0][:300]
        raise DatabaseError(
            f"cannot open the gradebook database {_shown(url)}: {first}. Check the host, port, user and "
            "password, that the server is running and accepts connections from this machine, and that the "
            "database exists (PostgreSQL: createdb NAME).") from None
    finally:
        engine.dispose()


@contextlib.contextmanager
def _one_merge_at_a_time(url: str):
    """A PostgreSQL session lock around a merge, so two instructors' merges never interleave."""
    engine = _engine(url)
    if engine.dialect.name != "postgresql":
        yield
        return
    try:
        # Held by this connection's session: closing it (or losing it) releases the lock, so there
        # is no unlock to fail after a server restart and hide the error that matters.
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": MERGE_LOCK})
            connection.commit()
            yield
    finally:
        engine.dispose()


def gradebook_row(result: Result, duedates: dict[str, datetime.datetime]) -> nbgrader_calls.GradebookRow:
    """A result as nbgrader's gradebook holds it: the autograder's points, the instructor's
    overrides as manual scores, the submission time, the extension and the late penalty."""
    manual = {o.cell: o.points for o in result.overrides}
    autograded = {o.cell: o.graded for o in result.overrides if o.graded is not None}
    auto = {g: autograded.get(g, s) for g, (s, _) in result.cells.items()}
    late = result.late
    timestamp = _naive_utc(late.submitted_at) if late else None
    base = duedates.get(result.assignment)
    extension = (_naive_utc(late.due) - base) if late and late.due and base and _naive_utc(late.due) != base else None
    return nbgrader_calls.GradebookRow(learner=result.learner, assignment=result.assignment, auto=auto,
                                       manual=manual, timestamp=timestamp, extension=extension,
                                       late_penalty=round(result.penalty, 6))


def _naive_utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """nbgrader keeps times as naive UTC."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def merge_gradebook(results: list[Result], out: Path, db_url: str | None,
                    duedates: dict[str, datetime.datetime] | None = None) -> str:
    """Write every gradable result into nbgrader's gradebook (``out/workspace/gradebook.db``, or
    ``db_url``), export it with nbgrader's CSV exporter and copy the autograded notebooks beside
    it; returns the gradebook's URL. ``duedates`` (the late policy's, per assignment) become the
    gradebook's due dates."""
    workspace = out / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    chosen = sorted({r.assignment for r in results if r.assignment in course.assignments()})
    dues = {a: _naive_utc(d) for a, d in (duedates or {}).items() if a in chosen}
    graded = [gradebook_row(r, dues) for r in results if r.cells and r.status != "invalid"]
    if db_url:
        url = db_url
        try:
            with _one_merge_at_a_time(db_url):
                # The assignments' cells and checksums, written by nbgrader itself into that database;
                # exported inside the lock too, so the CSV never shows another merge half-way.
                nbgrader_calls.write_assignments(out / ".work" / "db-release", db_url, chosen)
                nbgrader_calls.record_grades(db_url, graded, dues)
                nbgrader_calls.export_csv(url, out / "nbgrader-grades.csv")
        # nbgrader reports some database errors as its own (InvalidEntry is a ValueError, a failed
        # generate_assignment is NbgraderFailed): all of them mean the same to the instructor.
        except (SQLAlchemyError, nbgrader_calls.NbgraderFailed, ValueError) as error:
            first = (str(getattr(error, "orig", error)).strip().splitlines() or [type(error).__name__])[0][:300]
            raise DatabaseError(f"writing the grades into {_shown(db_url)} failed: {first}. Every result is kept "
                                f"in {out}; run the same command again to merge them.") from None
    else:
        final = workspace / "gradebook.db"
        pending = workspace / "gradebook.db.tmp"
        if chosen:
            shutil.copyfile(Template(*chosen).ready().gradebook, pending)
        else:
            pending.unlink(missing_ok=True)
        url = f"sqlite:///{pending}"
        nbgrader_calls.record_grades(url, graded, dues)
        os.replace(pending, final)
        url = f"sqlite:///{final}"
        nbgrader_calls.export_csv(url, out / "nbgrader-grades.csv")
    for r in results:
        notebook = autograded_path(out, r.key)
        if notebook.exists():
            target = workspace / "autograded" / r.learner / r.assignment / f"{r.assignment}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, target)
    return url


GRADES_COLUMNS = ("learner_id", "assignment", "score", "max_score", "status", "reason",
                  "submitted_at", "late_by", "penalty", "final_score")


def write_tables(results: list[Result], out: Path) -> Path:
    """grades.csv, competencies.csv, every learner's competency page and feedback page (with the
    instructor's notes: overrides and late penalty); returns grades.csv.

    ``score`` is the autograder's, overrides included; ``final_score`` is after the late policy
    (what goes to the LMS). ``submitted_at`` is ISO 8601 UTC and ``late_by`` an ISO 8601 duration
    (``PT0S``: on time), both empty when unknown or when no due date applies."""
    grades = out / "grades.csv"
    pending = grades.with_suffix(".tmp")
    with pending.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(GRADES_COLUMNS)
        for r in results:
            reason = " ".join(x for x in (r.reason, r.note, r.late.flagged if r.late else "") if x)
            submitted = r.late.submitted_at if r.late else None
            late_by = _iso_duration(r.late.late_by) if r.late and r.late.due and submitted else ""
            writer.writerow([r.learner, r.assignment, f"{r.score:g}", f"{r.max_score:g}", r.status, reason,
                             submitted.astimezone(datetime.UTC).isoformat() if submitted else "",
                             late_by, f"{round(r.penalty, 2):g}", f"{round(r.final_score, 2):g}"])
    os.replace(pending, grades)
    with (out / "competencies.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["learner_id", "assignment", "competency", "score", "max_score"])
        for r in results:
            for competency, (score, maximum) in r.competencies.items():
                writer.writerow([r.learner, r.assignment, competency, f"{score:g}", f"{maximum:g}"])
            _competency_page(r, out)
            _feedback_page(r, out)
    return grades


def _iso_duration(delta: datetime.timedelta) -> str:
    seconds = max(0, round(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if v)
    return "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "" if days else "T0S")


NOTES_MARK = "<!-- instructor-notes -->"
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def _feedback_page(result: Result, out: Path) -> None:
    """The learner's feedback page: nbgrader's page as graded, with the instructor's notes on top
    when an override or the late policy changed the grade. Rebuilt from the page kept at grading,
    so notes never pile up and a removed override leaves no trace."""
    kept, page = original_page(out, result.key), feedback_page(out, result.learner, result.assignment)
    try:
        text = kept.read_text()
    except FileNotFoundError:
        try:  # graded before pages were kept: the published page is still the original
            text = page.read_text()
        except FileNotFoundError:
            return
        if NOTES_MARK in text:
            return
        atomic_write(kept, text.encode())
    notes = _notes(result)
    if notes:
        body = _BODY.search(text)
        at = body.end() if body else 0
        text = text[:at] + NOTES_MARK + notes + text[at:]
    if not page.exists() or page.read_text() != text:
        atomic_write(page, text.encode())


def _notes(result: Result) -> str:
    """What the instructor's decisions did to this grade, in words for the learner."""
    items = [f"<li>Cell <code>{html.escape(o.cell)}</code>: your instructor set {o.points:g} of "
             f"{result.cells[o.cell][1]:g} points (the autograder gave {o.graded or 0:g}). Reason: "
             f"{html.escape(o.reason)}</li>" for o in result.overrides]
    late = result.late
    if late and late.explanation:
        items.append(f"<li>{html.escape(late.explanation)}</li>")
    if not items:
        return ""
    return ("<div id='instructor-notes' style='border:2px solid #0072B2;border-radius:6px;padding:8px 14px;"
            "margin:12px 0;font-family:sans-serif;background:#f3f8fc'>"
            f"<h2 style='margin-top:4px'>Your grade: {round(result.final_score, 2):g} / {result.max_score:g}</h2>"
            f"<p>The page below shows the autograder's run. Your instructor's decisions since:</p><ul>{''.join(items)}"
            f"</ul><p>Score {round(result.score, 2):g}"
            + (f", late penalty {round(result.penalty, 2):g}" if result.penalty else "")
            + f": final score {round(result.final_score, 2):g} / {result.max_score:g}.</p></div>")


def _competency_page(result: Result, out: Path) -> None:
    folder = out / "feedback" / result.learner / result.assignment
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{s:g} / {m:g}</td><td>{(100 * s / m if m else 0):.0f} %</td></tr>"
        for k, (s, m) in result.competencies.items())
    (folder / "competencies.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Competencies</title></head><body>"
        f"<h1>{html.escape(result.assignment)}: your score per competency</h1>"
        f"<p>{html.escape(result.learner)} — total {result.score:g} / {result.max_score:g} "
        f"({html.escape(result.status)})</p>"
        f"<table border=1 cellpadding=4><tr><th>competency</th><th>points</th><th>%</th></tr>{rows}</table>"
        "</body></html>")
