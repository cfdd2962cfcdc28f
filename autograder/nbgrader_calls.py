"""Every call the grader makes into nbgrader, in one place.

nbgrader does the grading work itself (sanitising, restoring locked cells, execution, scoring,
feedback, export); the grader only runs it in the right places. Commands run as nbgrader's own
command line with ``cwd=autograder/`` (so it reads ``autograder/nbgrader_config.py``); the rest runs
in-process through nbgrader's Python API with that same configuration (a command costs seconds
of start-up, paid once per call).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import jsonschema
import nbformat
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from nbgrader import api as nbgrader_api
from nbgrader import utils as nbgrader_utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.converters.autograde import Autograde
from nbgrader.converters.generate_feedback import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.dbutil import ALEMBIC_DIR
from nbgrader.nbgraderformat import common as nbgrader_format
from nbgrader.plugins import CsvExportPlugin
from nbgrader.preprocessors import AssignLatePenalties, Execute
from sqlalchemy import event, inspect, util
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder import feedback, limits
from autograder.course import AUTOGRADER, COURSE_ID, assignments


class NbgraderFailed(RuntimeError):
    """nbgrader itself failed (not a learner's notebook): the message carries its log."""


def _environment() -> dict[str, str]:
    # nbgrader calls `alembic` by name, so the environment's bin/ must come first on PATH.
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def nbgrader(*args: str, workspace: Path) -> subprocess.CompletedProcess:
    """Run one nbgrader command against ``workspace`` (its course root and gradebook)."""
    workspace.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={workspace}"]
    result = subprocess.run(command, cwd=AUTOGRADER, capture_output=True, text=True, env=_environment())
    if result.returncode != 0:
        raise NbgraderFailed(
            f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n{result.stderr[-4000:]}"
        )
    return result


def generate_release(destination: Path, workspace: Path, only: list[str] | None = None) -> None:
    """The learner version of every assignment (or ``only`` these) into ``destination``, with
    nbgrader's own ``generate_assignment`` command (one call for all: its start-up costs seconds)."""
    chosen = only or list(assignments())
    patterns = ["*"] if set(chosen) == set(assignments()) else chosen
    for pattern in patterns:
        nbgrader("generate_assignment", pattern, "--force",
                 f"--CourseDirectory.release_directory={destination}", workspace=workspace)


def course_config(**course_directory: str) -> Config:
    """autograder/nbgrader_config.py, loaded the way nbgrader's commands load it, with these
    ``CourseDirectory`` settings on top (root, db_url, release_directory...)."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(AUTOGRADER)).load_config()
    config.merge(Config({"CourseDirectory": course_directory}))
    return config


def _api(config: Config) -> NbGraderAPI:
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def alembic_head() -> str:
    """The gradebook schema's version that nbgrader stamps into a new gradebook, read in this
    process from nbgrader's own migration scripts. nbgrader asks a subprocess (`alembic heads`),
    which costs over 2 s here, more than writing a whole assignment's template."""
    config = AlembicConfig()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


@contextlib.contextmanager
def alembic_in_process():
    """While inside, a gradebook nbgrader creates in this process is stamped by ``alembic_head``."""
    asked = nbgrader_api.get_alembic_version
    nbgrader_api.get_alembic_version = alembic_head
    try:
        yield
    finally:
        nbgrader_api.get_alembic_version = asked


@contextlib.contextmanager
def scratch_gradebooks():
    """While inside, SQLite databases opened through SQLAlchemy skip the per-commit fsync and
    journal file (0.7 ms a commit here, dozens of commits per submission). Only for gradebooks
    that are rebuilt from scratch after a crash: a submission's copy (regraded) and a template
    (rewritten); the merged gradebook keeps SQLite's defaults."""

    def on_connect(connection, _record) -> None:
        if isinstance(connection, sqlite3.Connection):
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("PRAGMA journal_mode=MEMORY")

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)


# SQLite dialects of this process by create_engine's keywords, and the statements compiled for
# them: SQLAlchemy caches a compiled statement per (dialect, statement), and nbgrader makes a new
# engine, hence a new dialect, for each of the ~10 gradebooks it opens per submission, so it
# compiled the same ~50 statements every time (the largest part of its bookkeeping's profile).
_SQLITE_DIALECTS: dict[str, object] = {}
_COMPILED = util.LRUCache(1000)


class _CallEngine(Engine):
    """A SQLite gradebook's engine for the length of one nbgrader call, which opens and closes
    the same file a dozen times: a gradebook's closing (``dispose``) keeps its connection for the
    next one, so each opening does not connect again (SQLite then parses the schema again);
    ``cheaper_bookkeeping`` disposes of it for real when the call ends."""

    tables_complete = False  # every table nbgrader's gradebook has is in the file
    inspector = None         # once they are: the one inspector, which remembers the table names
    course_checked = None    # the course id whose row nbgrader has found or added in this call

    def dispose(self, close: bool = True) -> None:
        pass


# Within one nbgrader call (one cheaper_bookkeeping()): each SQLite gradebook's engine, by URL and
# keywords, and the session factory nbgrader makes at each opening, by engine and keywords.
_CALL_ENGINES: dict[tuple[str, str], _CallEngine] = {}
_CALL_SESSIONMAKERS: dict[tuple[int, str], sessionmaker] = {}


def _create_engine_sharing_compilation(url, **kwargs) -> Engine:
    """sqlalchemy.create_engine, for nbgrader: a SQLite engine of its own per nbgrader call and file
    (its own pool and connection to this URL's file, kept open until the call ends), but compiling
    with this process's one SQLite dialect of the same settings, into one statement cache, so a
    statement is compiled once per process."""
    key = json.dumps(kwargs, sort_keys=True, default=repr)
    if (str(url), key) in _CALL_ENGINES:  # opened before in this call: its connection is kept
        return _CALL_ENGINES[str(url), key]
    engine = _sqlalchemy_create_engine(url, **kwargs)
    parsed = make_url(url)
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite") or parsed.query:
        return engine  # e.g. PostgreSQL: the dialect depends on the server it met
    dialect = _SQLITE_DIALECTS.get(key)
    if dialect is None:
        with engine.connect():  # the dialect is set up from its first connection
            pass
        dialect = _SQLITE_DIALECTS.setdefault(key, engine.dialect)
    engine = _CallEngine(engine.pool, dialect, engine.url, echo=engine.echo,
                         execution_options={**engine.get_execution_options(), "compiled_cache": _COMPILED})
    _CALL_ENGINES[str(url), key] = engine
    return engine


def _sessionmaker_per_call_engine(**kwargs) -> sessionmaker:
    """sqlalchemy's sessionmaker, for nbgrader's gradebooks: one factory per call engine and
    keywords (making one builds a Session class, a tenth of a gradebook's opening); the sessions
    it makes are each their own, as before."""
    bind = kwargs.get("bind")
    if not isinstance(bind, _CallEngine):
        return sessionmaker(**kwargs)
    key = (id(bind), json.dumps(kwargs, sort_keys=True, default=repr))
    if key not in _CALL_SESSIONMAKERS:
        _CALL_SESSIONMAKERS[key] = sessionmaker(**kwargs)
    return _CALL_SESSIONMAKERS[key]


class _CheckedSchemas:
    """``jsonschema.validate`` for nbgrader's cell metadata with the same errors, but each schema is
    checked against its metaschema once per process, not at every cell of every notebook (nbgrader
    validates each cell's metadata in autograde and again in feedback; checking the schema was
    nearly all of it)."""

    def __init__(self) -> None:
        self._validators: dict[str, object] = {}

    def validate(self, instance, schema) -> None:
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators.setdefault(key, cls(schema))
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


def _inspect_call_engine(subject, raiseerr: bool = True):
    """sqlalchemy.inspect, for nbgrader's gradebook openings (each asks for the file's table names):
    a call engine whose tables are all there has one inspector, which keeps the names it read."""
    if isinstance(subject, _CallEngine) and subject.tables_complete:
        if subject.inspector is None:
            subject.inspector = inspect(subject)
        return subject.inspector
    return inspect(subject, raiseerr)


def _check_course_once(gradebook: Gradebook, course_id: str = "default_course", **kwargs):
    """nbgrader's ``Gradebook.check_course`` (run at every opening: a query and a commit), once per
    course and call engine: a gradebook this call has already found the course in, or added it to,
    keeps it (nbgrader deletes no course). The opening ignores what it returns."""
    engine = gradebook.engine
    if isinstance(engine, _CallEngine) and not kwargs and engine.course_checked == course_id:
        return None
    course = _nbgrader_check_course(gradebook, course_id, **kwargs)
    if isinstance(engine, _CallEngine):
        engine.course_checked = course_id
    return course


def _create_missing_tables(bind, tables=None, checkfirst=True) -> None:
    """nbgrader's ``Base.metadata.create_all``, which it runs at every gradebook it opens (ten a
    submission), asking SQLite about each of its 13 tables in turn: one question first, the names of
    the tables there, and nothing more when they are all there (create_all would create nothing)."""
    metadata = nbgrader_api.Base.metadata
    if bind.dialect.name == "sqlite" and tables is None and checkfirst:
        if getattr(bind, "tables_complete", False):  # seen earlier in this call; nbgrader drops none
            return
        present = set(inspect(bind).get_table_names())
        if all(table.schema is None and table.name in present for table in metadata.tables.values()):
            if isinstance(bind, _CallEngine):
                bind.tables_complete = True
            return
    type(metadata).create_all(metadata, bind, tables=tables, checkfirst=checkfirst)


_sqlalchemy_create_engine = nbgrader_api.create_engine
_nbgrader_check_course = Gradebook.check_course
_SCHEMAS = _CheckedSchemas()


@contextlib.contextmanager
def cheaper_bookkeeping():
    """While inside, nbgrader in this process reuses compiled SQL and checked schemas across the
    gradebooks and notebooks it opens (``_create_engine_sharing_compilation``, ``_CheckedSchemas``),
    one connection and session factory per SQLite gradebook (``_CallEngine``,
    ``_sessionmaker_per_call_engine``), and checks a gradebook's tables and course once
    (``_create_missing_tables``, ``_inspect_call_engine``, ``_check_course_once``); what it reads,
    writes and rejects is unchanged. One nbgrader call per ``with``: a gradebook file replaced
    inside it is read afresh only in the next."""
    nbgrader_api.create_engine = _create_engine_sharing_compilation
    nbgrader_api.sessionmaker = _sessionmaker_per_call_engine
    nbgrader_api.inspect = _inspect_call_engine
    Gradebook.check_course = _check_course_once
    nbgrader_format.jsonschema = _SCHEMAS
    nbgrader_api.Base.metadata.create_all = _create_missing_tables
    try:
        yield
    finally:
        nbgrader_api.create_engine = _sqlalchemy_create_engine
        nbgrader_api.sessionmaker = sessionmaker
        nbgrader_api.inspect = inspect
        Gradebook.check_course = _nbgrader_check_course
        nbgrader_format.jsonschema = jsonschema
        vars(nbgrader_api.Base.metadata).pop("create_all", None)
        for engine in _CALL_ENGINES.values():
            Engine.dispose(engine)
        _CALL_ENGINES.clear()
        _CALL_SESSIONMAKERS.clear()


def gradebook(url: str) -> Gradebook:
    """nbgrader's gradebook at ``url``, of this course (PostgreSQL checks the course row exists)."""
    return Gradebook(url, course_id=COURSE_ID)


def write_assignments(root: Path, db_url: str, chosen: Iterable[str],
                      written: Callable[[str], None] | None = None) -> None:
    """nbgrader ``generate_assignment`` in this process, one assignment at a time: the release
    under ``root / "release"`` and the assignments' cells and checksums in the gradebook at
    ``db_url`` (what autograding and merging need). ``written(assignment)`` after each."""
    config = course_config(root=str(root), release_directory=str(root / "release"), db_url=db_url)
    root.mkdir(parents=True, exist_ok=True)
    api = _api(config)
    here = os.getcwd()
    with alembic_in_process(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush chatter inside nbgrader
        for assignment in chosen:
            try:
                outcome = api.generate_assignment(assignment, force=True, create=True)
            finally:
                os.chdir(here)  # nbgrader changes directory to the course root
            if not outcome.get("success"):
                raise NbgraderFailed(f"nbgrader generate_assignment {assignment} failed:\n"
                                     f"{(outcome.get('log') or '')[-3000:]}{outcome.get('error') or ''}")
            if written:
                written(assignment)


def autograde_preprocessors() -> list:
    """nbgrader's autograde steps, with execution timed and every cell's output capped in size.

    Without nbgrader's late penalty step: a worker's submission has no submission time (lateness
    is the merge's, autograder/deadlines.py), so the step only reopened the gradebook to write
    the penalty it already has, none."""
    steps = [limits.TimedExecute if p is Execute else p
             for p in Autograde.class_traits()["autograde_preprocessors"].default() if p is not AssignLatePenalties]
    at = steps.index(limits.TimedExecute) + 1
    return [*steps[:at], limits.LimitOutputSize, *steps[at:]]


@dataclasses.dataclass
class Autograded:
    """What nbgrader's autograde made of one submission."""

    success: bool
    log: str                                  # nbgrader's log and error, when it did not succeed
    score: float
    max_score: float
    cells: dict[str, tuple[float, float]]     # grade_id -> (score, max_score) of every graded cell
    seconds: float                            # the whole autograde call
    execution_seconds: float                  # kernel start to shutdown
    kernel_start_seconds: float               # of which: until the kernel answered
    first_cell_seconds: float                 # of which: the first code cell (the course's imports)


def autograde(config: Config, workspace: Path, assignment: str, learner: str) -> Autograded:
    """nbgrader's autograde of ``workspace/submitted/<learner>/<assignment>``, scored from the
    gradebook at ``config.CourseDirectory.db_url``."""
    started = time.monotonic()
    limits.reset_timers()
    with scratch_gradebooks(), cheaper_bookkeeping(), warnings.catch_warnings():
        # nbgrader's gradebook code trips SQLAlchemy 2's autoflush warning on every submission.
        warnings.simplefilter("ignore")
        outcome = _api(config).autograde(assignment, learner, force=True, create=True)
        seconds = time.monotonic() - started
        autograded = workspace / "autograded" / learner / assignment / f"{assignment}.ipynb"
        success = bool(outcome.get("success")) and autograded.exists()
        with gradebook(config.CourseDirectory.db_url) as gb:
            row = gb.find_assignment(assignment)
            cells = {c.name: (0.0, float(c.max_score)) for n in row.notebooks for c in n.grade_cells}
            score = 0.0
            if success:
                submission = gb.find_submission(assignment, learner)
                score = float(submission.score)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        cells[grade.name] = (float(grade.score), float(grade.max_score))
            maximum = float(row.max_score)
    return Autograded(success=success, log=(outcome.get("log") or "") + (outcome.get("error") or ""),
                      score=score, max_score=maximum, cells=cells, seconds=seconds,
                      execution_seconds=limits.EXECUTION_SECONDS, kernel_start_seconds=limits.KERNEL_START_SECONDS,
                      first_cell_seconds=limits.FIRST_CELL_SECONDS)


def generate_feedback(config: Config, workspace: Path, assignment: str, learner: str) -> str | None:
    """nbgrader's feedback page (HTML) of an autograded submission, or None when it failed."""
    with scratch_gradebooks(), cheaper_bookkeeping(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome = _api(config).generate_feedback(assignment, learner, force=True)
    page = workspace / "feedback" / learner / assignment / f"{assignment}.html"
    return page.read_text() if outcome.get("success") and page.exists() else None


def feedback_parts(config: Config, release_notebook: Path) -> dict[str, list]:
    """The release notebook's cells as every learner's feedback page of it shows them (the
    instructions' HTML, the locked and test cells highlighted), rendered by the exporter nbgrader's
    generate_feedback makes from ``config``: a worker that starts with them (``feedback.remember``)
    skips rendering them at its first page of the assignment."""
    converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
    exporter = converter.exporter_class(parent=converter, config=converter.config)
    notebook = nbformat.read(str(release_notebook), as_version=4)
    # What nbgrader's execution writes into every graded notebook from the IPython kernel's answer;
    # the highlighting depends on it.
    notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    for cell in notebook.cells:  # what nbgrader's GetGrades adds before the page is rendered
        if nbgrader_utils.is_solution(cell) or nbgrader_utils.is_task(cell):
            cell.metadata.nbgrader["comment"] = None
        if nbgrader_utils.is_grade(cell) or nbgrader_utils.is_task(cell):
            cell.metadata.nbgrader.update(score=0.0, points=float(cell.metadata.nbgrader.get("points", 0)))
    resources = {"nbgrader": {"notebook": release_notebook.stem, "score": 0.0, "max_score": 0.0, "late_penalty": 0.0}}
    return feedback.rendered_parts(exporter, notebook, resources)


@dataclasses.dataclass(frozen=True)
class GradebookRow:
    """One submission as nbgrader's gradebook holds it (times naive UTC, as nbgrader stores them)."""

    learner: str
    assignment: str
    auto: dict[str, float]                     # grade_id -> autograded points
    manual: dict[str, float] = dataclasses.field(default_factory=dict)  # grade_id -> instructor's points
    timestamp: datetime.datetime | None = None
    extension: datetime.timedelta | None = None
    late_penalty: float = 0.0                  # points, nbgrader subtracts it in its export's score


def record_grades(url: str, rows: Iterable[GradebookRow],
                  duedates: dict[str, datetime.datetime] | None = None) -> None:
    """Write each row into the gradebook at ``url``, whose assignments are already there (their due
    dates set from ``duedates``); a submission already in it is replaced, never duplicated.

    An instructor's points go in as the cell's manual score, beside the autograded one, which is
    how formgrader shows a regrade by hand; a late penalty and an extension go in nbgrader's own
    fields, so formgrader and ``nbgrader export`` show the same final score as grades.csv."""
    with alembic_in_process(), gradebook(url) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush chatter when replacing a submission
        for assignment, due in (duedates or {}).items():
            with contextlib.suppress(MissingEntry):
                gb.find_assignment(assignment).duedate = due
        gb.db.commit()
        for row in rows:
            gb.update_or_create_student(row.learner)
            with contextlib.suppress(MissingEntry):
                gb.find_submission(row.assignment, row.learner)
                gb.remove_submission(row.assignment, row.learner)
                gb.db.commit()
            submission = gb.add_submission(row.assignment, row.learner, timestamp=row.timestamp,
                                           extension=row.extension)
            for index, notebook in enumerate(submission.notebooks):
                # nbgrader sums its notebooks' penalties into the submission's: count it once.
                notebook.late_submission_penalty = row.late_penalty if index == 0 and row.late_penalty else None
                for grade in notebook.grades:
                    if grade.max_score_gradecell is None:
                        continue
                    if grade.name in row.auto:
                        grade.auto_score = row.auto[grade.name]
                        grade.needs_manual_grade = False
                    if grade.name in row.manual:
                        grade.manual_score = row.manual[grade.name]
                        grade.needs_manual_grade = False
            gb.db.commit()


def export_csv(url: str, path: Path) -> None:
    """nbgrader's own CSV export of the gradebook (what `nbgrader export` writes)."""
    with alembic_in_process(), gradebook(url) as gb:
        CsvExportPlugin(to=str(path)).export(gb)
