"""Grading into a real PostgreSQL server (tests/pg_server.py starts a throwaway one on loopback):
rows read back with nbgrader's own gradebook API and `nbgrader export`, two cohorts merged at once,
a wrong or unreachable URL refused before grading, and a server lost mid-run losing nothing."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Course
from notebook_tools import fill, read, release_path, solution_answers, wrong_answers
from pg_server import postgres  # noqa: F401 (the fixture)

from autograder import sandbox
from autograder.course import AUTOGRADER, COURSE_ID
from autograder.nbgrader_calls import gradebook

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "00_orientation"
FULL = 9.0
pytestmark = pytest.mark.xdist_group("postgres")  # one server for all of them


def cohort(folder: Path, *learners: str) -> Path:
    """Learners named ``good-*`` type the solution, ``wrong-*`` one wrong answer, the others nothing."""
    release = read(release_path(ASSIGNMENT))
    correct = solution_answers(ASSIGNMENT)
    grade_id, wrong = next(iter(wrong_answers(ASSIGNMENT).items()))
    for learner in learners:
        notebook = (fill(release, correct) if learner.startswith("good") else
                    fill(release, {**correct, grade_id: wrong}) if learner.startswith("wrong") else release)
        target = folder / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
    return folder


def grade(submissions: Path, out: Path, db_url: str) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--quiet",
            "--db-url", db_url, "--workers", "1"]


def run(command: list[str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def grades_csv(out: Path) -> dict[str, float]:
    with (out / "grades.csv").open() as f:
        return {r["learner_id"]: float(r["score"]) for r in csv.DictReader(f)}


def in_database(url: str) -> dict[str, float]:
    """learner -> score of every submission of the assignment, read with nbgrader's own API."""
    with gradebook(url) as gb:
        return {s.student_id: s.score for s in gb.assignment_submissions(ASSIGNMENT)}


def nbgrader_export(url: str, folder: Path) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "export.csv"
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.db_url={url}",
                           f"--CourseDirectory.root={folder}", f"--to={target}"],
                          cwd=AUTOGRADER, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with target.open() as f:
        return list(csv.DictReader(f))


def test_a_cohort_graded_into_postgresql_reads_back_through_nbgrader(postgres, tmp_path):  # noqa: F811
    url = postgres.fresh_database("cohort")
    submissions = cohort(tmp_path / "subs", "good-1", "blank-1", "wrong-1")
    out = tmp_path / "out"
    done = run(grade(submissions, out, url))
    assert done.returncode == 0, done.stderr[-3000:]
    ours = grades_csv(out)
    assert ours["good-1"] == FULL and ours["blank-1"] == 0 and 0 < ours["wrong-1"] < FULL
    assert in_database(url) == ours
    with gradebook(url) as gb:
        # PostgreSQL enforces the assignment's course row (the bug this id fixes: course_id '').
        assert gb.find_assignment(ASSIGNMENT).course_id == COURSE_ID
        assert COURSE_ID in {c.id for c in gb.db.query(Course)}
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "wrong-1")
        assert sum(g.score for g in notebook.grades) == ours["wrong-1"]
    exported = nbgrader_export(url, tmp_path / "export")
    assert {r["student_id"]: float(r["score"]) for r in exported} == ours
    # Rerun: nothing regraded, every submission replaced, never duplicated.
    again = run(grade(submissions, out, url))
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads((out / ".work" / "last_run.json").read_text())["graded_now"] == 0
    assert len(nbgrader_export(url, tmp_path / "export2")) == 3 and in_database(url) == ours


def test_two_cohorts_graded_at_once_into_one_database(postgres, tmp_path):  # noqa: F811
    """Two instructors, two cohorts, one database, at the same time: nothing lost, nothing doubled."""
    url = postgres.fresh_database("two_instructors")
    first = cohort(tmp_path / "a", "good-a", "blank-a", "wrong-a")
    second = cohort(tmp_path / "b", "good-b", "blank-b")
    runs = [subprocess.Popen(grade(folder, tmp_path / f"out-{folder.name}", url), cwd=REPO, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for folder in (first, second)]
    for process in runs:
        _, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stderr[-3000:]
    expected = {**grades_csv(tmp_path / "out-a"), **grades_csv(tmp_path / "out-b")}
    assert len(expected) == 5 and in_database(url) == expected
    exported = nbgrader_export(url, tmp_path / "export")
    assert sorted(r["student_id"] for r in exported) == sorted(expected)


def test_a_wrong_or_unreachable_db_url_fails_before_any_grading(postgres, tmp_path):  # noqa: F811
    submissions = cohort(tmp_path / "subs", "good-1")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    wrong = {
        f"postgresql://postgres@127.0.0.1:{closed}/course": "cannot open the gradebook database",
        postgres.url("no_such_database"): "no_such_database",
        "postgresql//forgot-the-colon": "is not a database URL",
    }
    for url, says in wrong.items():
        out = tmp_path / f"out-{len(says)}"
        started = time.monotonic()
        done = run(grade(submissions, out, url), timeout=120)
        assert done.returncode == 1 and says in done.stderr, (url, done.stderr[-2000:])
        assert "Traceback" not in done.stderr and not out.exists(), "nothing graded, nothing written"
        assert time.monotonic() - started < 60, "refused at start, not after grading"


def test_the_server_stopped_mid_run_loses_nothing(postgres, tmp_path):  # noqa: F811
    if sandbox.probe():
        pytest.skip(f"the sandbox cannot be built here: {sandbox.probe()}")
    url = postgres.fresh_database("stopped")
    submissions = cohort(tmp_path / "subs", "good-1", "blank-1", "wrong-1")
    out = tmp_path / "out"
    process = subprocess.Popen(grade(submissions, out, url), cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        results = out / ".work" / "results"
        deadline = time.monotonic() + 600
        while not list(results.glob("*.json")) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        postgres.stop()  # grading goes on; the merge at the end finds no server
        _, stderr = process.communicate(timeout=900)
    finally:
        postgres.start()
    assert process.returncode == 1, stderr[-3000:]
    assert "run the same command again" in stderr and "Traceback" not in stderr
    assert len(list((out / ".work" / "results").glob("*.json"))) == 3, "every result kept in OUT"
    again = run(grade(submissions, out, url))
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads((out / ".work" / "last_run.json").read_text())["graded_now"] == 0, "merged, not regraded"
    assert in_database(url) == grades_csv(out) and grades_csv(out)["good-1"] == FULL
