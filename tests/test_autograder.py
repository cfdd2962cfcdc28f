"""The grading side: feedback sanitising, the command line, the learner's working copy."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_output

from autograder.cli import REPO, assignments, main
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
    assert "00_orientation" in found and found == sorted(found)


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

    from autograder.cohort import _generate_template

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    _generate_template(tmp_path, ["00_orientation"])
    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        stamped = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert stamped == [(get_alembic_version(),)]
    assert (tmp_path / "release" / "00_orientation" / "00_orientation.ipynb").exists()
    assert nbgrader.api.get_alembic_version is get_alembic_version, "nbgrader's own lookup must be put back"
