"""The grading side: feedback sanitising, the command line, the learner's working copy."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_output

from autograder.cli import main
from autograder.course import REPO, assignments
from autograder.feedback import HideHiddenTests


def _test_cell(source: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True, "grade_id": "test_x", "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False,
    }
    return cell


def test_feedback_preprocessor_strips_hidden_region_and_traceback():
    cell = _test_cell("visible()\n### BEGIN HIDDEN TESTS\nassert answer == 42\n### END HIDDEN TESTS")
    cell.outputs = [new_output("error", ename="AssertionError", evalue="wrong size",
                               traceback=["----> 3 assert answer == 42", "AssertionError: wrong size"])]
    cell, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert cell.source == "visible()"
    assert cell.outputs[0].traceback == ["AssertionError: wrong size"]


def test_feedback_preprocessor_leaves_answer_cells_alone():
    cell = new_code_cell("x = 1\n# ### BEGIN HIDDEN TESTS (a learner's comment)")
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": "ex_x", "locked": False,
                                 "schema_version": 3, "solution": True, "task": False}
    cell, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "x = 1" in cell.source


def test_assignments_are_the_solution_notebooks():
    found = assignments()
    assert "00_orientation" in found and list(found) == sorted(found)
    assert found == tuple(sorted(p.parent.name for p in (REPO / "solutions").glob("*/*.ipynb")))


def test_grade_command_says_what_is_wrong_with_a_bad_folder(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    assert "is not a folder of submissions" in capsys.readouterr().err
    (tmp_path / "subs" / "ada" / "99_nope").mkdir(parents=True)
    assert main(["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 1
    assert "no such assignment in solutions/: 99_nope" in capsys.readouterr().err


def test_cli_help_lists_the_commands():
    result = subprocess.run([sys.executable, "-m", "autograder", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "release" in result.stdout and "grade" in result.stdout


def test_learner_copy_adds_new_modules_and_keeps_answers(tmp_path):
    work = tmp_path / "my-work"
    run = ["make", "--no-print-directory", "-C", str(REPO), "learner-copy", f"WORK={work}"]
    subprocess.run(run, check=True, capture_output=True)
    notebook = work / "00_orientation" / "00_orientation.ipynb"
    assert notebook.read_bytes() == (REPO / "notebooks/00_orientation/00_orientation.ipynb").read_bytes()
    notebook.write_text("my answers")
    output = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    assert notebook.read_text() == "my answers" and "00_orientation" not in output


def test_postgresql_urls_find_their_driver():
    # `--db-url postgresql://...` must reach a server, not fail on a missing driver.
    import sqlalchemy

    engine = sqlalchemy.create_engine("postgresql://course@127.0.0.1:1/course")
    assert engine.dialect.driver == "psycopg"


def test_template_gradebook_carries_the_schema_version_nbgrader_would_stamp(tmp_path, monkeypatch):
    """The grader stamps new gradebooks in-process; nbgrader itself asks `alembic heads`."""
    import nbgrader.api
    from nbgrader.api import get_alembic_version

    from autograder.nbgrader_calls import write_assignments

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    expected = get_alembic_version()  # nbgrader's answer, from its `alembic heads` subprocess
    # Then no venv on PATH: had the grader shelled out like nbgrader, writing the template would fail.
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if Path(p).resolve() != Path(sys.executable).parent.resolve()))
    write_assignments(tmp_path, f"sqlite:///{tmp_path / 'gradebook.db'}", ["00_orientation"])
    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        stamped = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert stamped == [(expected,)]
    assert (tmp_path / "release" / "00_orientation" / "00_orientation.ipynb").exists()
    assert nbgrader.api.get_alembic_version is get_alembic_version, "nbgrader's own lookup must be put back"


def test_templates_are_kept_per_machine_by_source_digest_and_never_half_written(tmp_path, monkeypatch):
    """Workers on one machine share a template per assignment and sources; a changed source gets a
    new one, and a write killed half-way (no ``done``) is written afresh."""
    from autograder import course, template

    monkeypatch.setattr(template, "CACHE", tmp_path / "templates")

    def assignments_in(db: Path) -> set[str]:
        with sqlite3.connect(db) as connection:
            return {name for (name,) in connection.execute("SELECT name FROM assignment")}

    one = template.Template("00_orientation").ready()
    assert assignments_in(one.gradebook) == {"00_orientation"}
    assert one.release_notebook("00_orientation").exists()
    written = one.gradebook.stat().st_mtime_ns
    assert template.Template("00_orientation").ready().gradebook.stat().st_mtime_ns == written, "reused"

    both = template.Template("09_mock_exam", "00_orientation").ready()
    assert assignments_in(both.gradebook) == {"00_orientation", "09_mock_exam"} and both.folder != one.folder

    (one.folder / "done").unlink()  # as if killed while writing
    one.gradebook.write_bytes(b"torn")
    assert assignments_in(template.Template("00_orientation").ready().gradebook) == {"00_orientation"}

    real = course.source_digest("00_orientation")
    monkeypatch.setattr(course, "source_digest", lambda assignment: "edited since" if assignment == "00_orientation"
                        else real)  # a test fixed, say
    fixed = template.Template("00_orientation").ready()
    assert fixed.folder != one.folder and assignments_in(fixed.gradebook) == {"00_orientation"}
    assert not [p for p in (tmp_path / "templates").iterdir() if p.name.startswith(".")], "no temporary left"


def test_a_result_is_reused_only_for_the_same_bytes_and_the_same_sources(tmp_path, monkeypatch):
    """Rerunning with the same OUT keeps a grade only if neither the notebook nor the assignment's
    sources (tests, solutions, data, grader) changed since it was given."""
    from autograder import course, results

    kept = results.Result(learner="ada", assignment="00_orientation", digest="bytes",
                          source=course.source_digest("00_orientation"), status="graded", reason="", score=9,
                          max_score=9, cells={"test_split_state": (3.0, 3.0)})
    results.record(tmp_path, results.Graded(kept, feedback_html="<p>page</p>"))
    assert results.kept(tmp_path, "ada", "00_orientation", "bytes")
    assert not results.kept(tmp_path, "ada", "00_orientation", "other bytes")
    assert not results.kept(tmp_path, "bob", "00_orientation", "bytes")
    again = results.load(tmp_path, {kept.key})
    assert again == [kept.with_competencies()] and again[0].competencies["definitions"][0] >= 3
    assert results.feedback_page(tmp_path, "ada", "00_orientation").read_text() == "<p>page</p>"
    monkeypatch.setattr(course, "source_digest", lambda assignment: "edited since")
    assert not results.kept(tmp_path, "ada", "00_orientation", "bytes")


def test_source_digest_covers_what_grades_depend_on(tmp_path, monkeypatch):
    """A change to the assignment, the course package, the data, the grader or the pins changes the
    digest (and so refuses a worker with another checkout); another assignment's folder does not."""
    import shutil

    from autograder import course

    copy = tmp_path / "course"
    for part in ("solutions", "coursekit", "data", "autograder"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__", "workspace"))
    shutil.copy(REPO / "requirements.txt", copy)
    monkeypatch.setattr(course, "REPO", copy)
    monkeypatch.setattr(course, "SOLUTIONS", copy / "solutions")

    def digest() -> str:
        course.source_digest.cache_clear()
        return course.source_digest("00_orientation")

    before = digest()
    (copy / "solutions" / "01_linear_models" / "notes.txt").write_text("unrelated")
    assert digest() == before
    for changed in ("solutions/00_orientation/extra.csv", "coursekit/extra.py", "data/extra.csv",
                    "autograder/extra.py"):
        (copy / changed).write_text("x")
        assert digest() != before, changed
        (copy / changed).unlink()
    (copy / "requirements.txt").write_text("scikit-learn==0.1\n")
    assert digest() != before
    course.source_digest.cache_clear()


def test_make_course_opens_jupyterlab_on_the_learners_copy(tmp_path):
    """The README's learner command, as typed: it must serve JupyterLab on my-work/ (as root too)."""
    import re
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    work = tmp_path / "my-work"
    log = tmp_path / "course.log"
    # BROWSER=true: Python's webbrowser "opens" the page by running `true`.
    env = {**os.environ, "BROWSER": "true"}
    with log.open("w") as sink:
        process = subprocess.Popen(["make", "--no-print-directory", "-C", str(REPO), "course", f"WORK={work}",
                                    f"PORT={port}"], stdout=sink, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    try:
        token, deadline = None, time.monotonic() + 120
        while token is None and time.monotonic() < deadline and process.poll() is None:
            found = re.search(rf"127\.0\.0\.1:{port}/lab\?token=(\w+)", log.read_text())
            token = found and found.group(1)
            time.sleep(0.5)
        assert token, f"JupyterLab did not start:\n{log.read_text()[-3000:]}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=30) as reply:
            listed = {item["name"] for item in json.load(reply)["content"]}
        assert "00_orientation" in listed and listed == {p.name for p in (REPO / "notebooks").iterdir() if p.is_dir()}
        assert (work / "00_orientation" / "00_orientation.ipynb").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_only_scratch_gradebooks_skip_sqlite_durability(tmp_path):
    """Submission and template gradebooks are rebuilt after a crash, so they skip fsync and the
    journal file; any other gradebook (the merged one) keeps SQLite's defaults."""
    import sqlalchemy
    from nbgrader.api import Gradebook

    from autograder.nbgrader_calls import alembic_in_process as _alembic_in_process
    from autograder.nbgrader_calls import scratch_gradebooks as _scratch_gradebooks

    def settings(name: str) -> tuple:
        with _alembic_in_process(), Gradebook(f"sqlite:///{tmp_path / name}") as gb:
            pragmas = ("synchronous", "journal_mode")
            return tuple(gb.db.execute(sqlalchemy.text(f"PRAGMA {p}")).scalar() for p in pragmas)

    with _scratch_gradebooks():
        assert settings("scratch.db") == (0, "memory")
    assert settings("merged.db") == (2, "delete")


def test_cheaper_bookkeeping_reads_each_file_afresh_and_still_rejects_bad_metadata(tmp_path):
    """Inside ``cheaper_bookkeeping`` (one nbgrader call) nbgrader's gradebooks share compiled SQL,
    and those of one file an engine and its connection: a gradebook file replaced at the same URL
    between calls (a regraded submission's copy) is read afresh, a new file still gets its tables
    and course row (checked at a call's first opening), bad cell metadata is still refused, and
    nbgrader's own is put back."""
    import jsonschema
    import nbgrader.api
    import pytest
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    from nbgrader.nbgraderformat import common as nbgrader_format
    from sqlalchemy import inspect

    from autograder.course import COURSE_ID
    from autograder.nbgrader_calls import alembic_in_process, cheaper_bookkeeping, gradebook

    path = tmp_path / "gradebook.db"
    url = f"sqlite:///{path}"
    for learner in ("ada", "grace"):
        path.unlink(missing_ok=True)
        with alembic_in_process(), cheaper_bookkeeping():
            with gradebook(url) as gb:  # a new file: nbgrader creates its tables
                gb.add_student(learner)
            with gradebook(url) as gb, gradebook(url) as beside:
                assert [s.id for s in gb.students] == [s.id for s in beside.students] == [learner]
                assert gb.engine is beside.engine
                # the course row nbgrader adds at the first opening, once; later openings skip the check
                assert [c.id for c in gb.db.query(nbgrader.api.Course)] == [COURSE_ID]
                assert gb.engine.course_checked == COURSE_ID
                kept = nbgrader.api.inspect(gb.engine)  # the one inspector, which keeps the table names
                assert kept is nbgrader.api.inspect(beside.engine)
                assert kept.get_table_names() == inspect(gb.engine).get_table_names()
                assert set(kept.get_table_names()) == {*nbgrader.api.Base.metadata.tables, "alembic_version"}
        assert gb.engine.pool.checkedin() == 0  # the call's end closed its connections
    with sqlite3.connect(path) as db:  # a course row gone between calls is added again
        db.execute("DELETE FROM course")
    with alembic_in_process(), cheaper_bookkeeping(), gradebook(url) as gb:
        assert [c.id for c in gb.db.query(nbgrader.api.Course)] == [COURSE_ID]
    with alembic_in_process(), cheaper_bookkeeping():
        cell = _test_cell("assert True")
        MetadataValidator().validate_cell(cell)
        cell.metadata["nbgrader"]["points"] = "one"
        with pytest.raises(ValidationError):
            MetadataValidator().validate_cell(cell)
    assert nbgrader.api.create_engine.__module__.startswith("sqlalchemy")
    assert nbgrader.api.sessionmaker.__module__.startswith("sqlalchemy")
    assert nbgrader_format.jsonschema is jsonschema
    assert "create_all" not in vars(nbgrader.api.Base.metadata)
    assert nbgrader.api.inspect is inspect
    assert nbgrader.api.Gradebook.check_course.__module__ == "nbgrader.api"
