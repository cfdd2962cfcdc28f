"""Timed attempts graded like any other submission: one learner's three attempts, started and
finished with coursekit.attempts as a candidate does, submitted as their 09_mock_exam folder and
graded by real nbgrader. Each attempt is its own submission (``<learner>+attempt-<N>``) graded on
that attempt's paper; the attempt over the time limit is flagged with its time; the report counts
the learner's three attempts in the cohort's readiness."""

from __future__ import annotations

import csv
import datetime
import re
import shutil

import nbformat
import pytest
from notebook_tools import fill, read, solution_answers

from autograder.cohort import Options, grade_cohort
from autograder.intake import collect
from coursekit import attempts
from coursekit.exam import ExamPaper

ASSIGNMENT = "09_mock_exam"
START = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)
MINUTES_TAKEN = {1: 40, 2: 75, 3: 55}  # attempt 2 runs 15 minutes over the 60-minute limit
pytestmark = pytest.mark.xdist_group("grade-09-attempts")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("work")
    submissions = tmp_path_factory.mktemp("submitted")
    answers = solution_answers(ASSIGNMENT)
    for n, minutes in MINUTES_TAKEN.items():
        started = START + datetime.timedelta(days=n)
        record = attempts.start_attempt("ada", work, now=started)
        notebook = work / record.notebook
        nbformat.write(fill(read(notebook), answers), str(notebook))
        attempts.finish_attempt("ada", n, work, now=started + datetime.timedelta(minutes=minutes))
    # What the candidate hands in: their 09_mock_exam folder, attempts and all.
    shutil.copytree(work / ASSIGNMENT, submissions / "ada" / ASSIGNMENT)
    out = tmp_path_factory.mktemp("graded")
    grade_cohort(submissions, out, Options(progress=False, compare_answers=False, moodle=True))
    with (out / "grades.csv").open() as f:
        rows = {row["learner_id"]: row for row in csv.DictReader(f)}
    return out, rows


def test_each_attempt_is_its_own_submission_on_its_own_paper(graded):
    out, rows = graded
    assert sorted(rows) == [f"ada+attempt-{n}" for n in MINUTES_TAKEN]
    assert all(row["status"] == "graded" and row["score"] == row["max_score"] for row in rows.values()), rows
    papers = set()
    for n in MINUTES_TAKEN:
        autograded = read(out / "workspace" / "autograded" / f"ada+attempt-{n}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        printed = "\n".join(str(o.get("text", "")) for c in autograded.cells for o in c.get("outputs", []))
        assert f"Paper of 'ada', attempt {n}" in printed
        papers.add(tuple(item.id for item in ExamPaper("ada", n).items.values()))
    assert len(papers) == 3


def test_the_attempt_over_time_is_flagged_with_its_time(graded):
    out, rows = graded
    assert "finished 15 min 0 s over the 60-minute limit" in rows["ada+attempt-2"]["reason"]
    assert "over the" not in rows["ada+attempt-1"]["reason"] + rows["ada+attempt-3"]["reason"]
    report = (out / "report.html").read_text()
    assert "Submissions that need a look" in report and "15 min 0 s over the 60-minute limit" in report


def test_the_report_counts_the_learners_attempts(graded):
    out, _ = graded
    report = (out / "report.html").read_text()
    assert re.search(r"<tr><td>ada</td><td>3</td>", report), "the cohort readiness row of ada with 3 attempts"


def test_the_instructor_gets_the_learners_readiness_page_over_the_graded_attempts(graded):
    out, _ = graded
    page = (out / "feedback" / "ada" / "readiness.html").read_text()
    assert "Readiness: ada" in page and page.count("<svg") >= 7  # a chart per competency the exam tests
    assert "3 scored attempts" in page and "pass mark" in page.lower()
    assert "feedback/&lt;learner&gt;/readiness.html" in (out / "report.html").read_text()


def test_the_lms_gets_the_learners_best_attempt_under_their_own_id(graded):
    out, rows = graded
    with (out / "lms" / "moodle-import.csv").open() as f:
        (row,) = list(csv.DictReader(f))
    best = max(float(rows[f"ada+attempt-{n}"]["final_score"]) for n in MINUTES_TAKEN)
    assert row["username"] == "ada" and float(row[ASSIGNMENT]) == best
    report = (out / "report.html").read_text()
    assert "each learner&#x27;s best attempt" in report or "each learner's best attempt" in report
    assert "ada+attempt-1 (09_mock_exam)" in report and "ada+attempt-2 (09_mock_exam)" in report


def test_an_attempt_handed_in_again_as_another_is_flagged(tmp_path):
    """Intake only (no grading): attempt folders whose notebook was started as another attempt (a copy of
    attempt 1 handed in as attempt 2, another learner's attempt in this learner's folder) get a note that
    says so; an attempt handed in where it was started gets none."""
    work = tmp_path / "work"
    for hour, learner in enumerate(("ada", "bo")):
        started = START + datetime.timedelta(hours=hour)
        record = attempts.start_attempt(learner, work, now=started)
        attempts.finish_attempt(learner, record.attempt, work, now=started + datetime.timedelta(minutes=30))
    submitted = tmp_path / "submitted" / "ada" / ASSIGNMENT
    # The working copy numbers attempts for everyone in it: ada's is 1, bo's 2.
    for folder, n in {"attempt-1": 1, "attempt-2": 1, "attempt-3": 2}.items():
        shutil.copytree(work / ASSIGNMENT / f"attempt-{n}", submitted / folder)
    notes = {s.learner: s.note for s in collect(tmp_path / "submitted", tmp_path / "scratch")}
    assert notes["ada+attempt-1"] == ""
    assert notes["ada+attempt-2"].startswith("This notebook was started as attempt 1 of 'ada' but submitted as "
                                             "attempt 2 of 'ada'")
    assert "started as attempt 2 of 'bo' but submitted as attempt 3 of 'ada'" in notes["ada+attempt-3"]
