"""An instructor's week on real nbgrader submissions, through the command line as an instructor
types it: grade with a late policy, one extension and the Canvas roster; read the similarity page;
override one test cell; regrade one learner; and every file the run writes says the same thing.
Bad input (an impossible due date, an extension for nobody, an override of a cell that does not
exist) is refused before any grading, with a message that says what to fix."""

from __future__ import annotations

import csv
import datetime
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from notebook_tools import fill, read, release_path, solution_answers, wrong_answers

from autograder import course, sandbox

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "00_orientation"
pytestmark = pytest.mark.xdist_group("cohort")

POLICY = f"""
timezone = "Europe/London"
[defaults]
penalty_percent = 10
per = "day"
cap_percent = 50
cutoff_days = 7
[assignments.{ASSIGNMENT}]
due = "2027-01-15 23:59"
"""
DUE_UTC = datetime.datetime(2027, 1, 15, 23, 59)  # London is on GMT in January
EXTENSIONS = f"""learner_id,assignment,new_due,extra_days,reason
cat,{ASSIGNMENT},,2,illness (note on file)
"""
ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,00 Orientation (5001)
    Points Possible,,,,,100.00
"Ash, Ada",1,S1,ada,A,
"Bell, Ben",2,S2,ben,A,
"Cole, Cat",3,S3,cat,A,
"Dunn, Dan",4,S4,dan,A,
"Eyre, Eve",5,S5,eve,A,
"Fox, Fay",6,S6,fay,A,
"""
# ada wrote this; ben handed it in renamed, reformatted and commented: the similarity page flags them.
SHARED_ANSWER = '''
def split_state(estimator):
    settings = estimator.get_params(deep=True)
    learned = {}
    for attribute_name in sorted(estimator.__dict__):
        is_public = not attribute_name.startswith("_")
        is_fitted = attribute_name.endswith("_")
        is_bookkeeping = attribute_name in BOOKKEEPING_ATTRIBUTES
        if is_public and is_fitted and not is_bookkeeping:
            learned[attribute_name] = getattr(estimator, attribute_name)
    return settings, learned
'''
RENAMED_ANSWER = '''
def split_state(model):
    # hyperparameters first
    hp = model.get_params(deep = True)
    weights = {}
    for a in sorted(model.__dict__):
        pub = not a.startswith('_')
        fit = a.endswith('_')
        book = a in BOOKKEEPING_ATTRIBUTES
        if pub and fit and not book:   # learned from the data
            weights[a] = getattr(model, a)
    return hp, weights
'''
# (learner, answers, nbgrader's timestamp.txt or None)
SUBMITTED = {
    "ada": ("copied", "2027-01-15 20:00:00.000000 UTC"),          # on time
    "ben": ("copied renamed", "2027-01-17 02:00:00.000000 UTC"),  # 1 d 2 h late: two started days
    "cat": ("slope wrong", "2027-01-16 10:00:00.000000 UTC"),     # late, but her extension covers it
    "dan": ("untouched", None),                                   # no usable time: flagged
    "eve": ("solution", "2027-01-25 09:00:00.000000 UTC"),        # past the cutoff: 0
}
OVERRIDE_CELL = "test_learned_slope"


def grade(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=900)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def table(path: Path) -> dict[str, dict]:
    with path.open(newline="") as f:
        return {row["learner_id"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    if why := sandbox.probe():
        pytest.skip(f"the sandbox cannot be built on this machine: {why}")
    folder = tmp_path_factory.mktemp("week")
    submissions, out = folder / "submissions", folder / "out"
    release = read(release_path(ASSIGNMENT))
    solution = solution_answers(ASSIGNMENT)
    answers = {"solution": solution, "untouched": {},
               "copied": {**solution, "ex_split_state": SHARED_ANSWER},
               "copied renamed": {**solution, "ex_split_state": RENAMED_ANSWER},
               "slope wrong": {**solution, "ex_learned_slope": wrong_answers(ASSIGNMENT)["ex_learned_slope"]}}
    for learner, (kind, stamp) in SUBMITTED.items():
        target = submissions / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(fill(release, answers[kind]), str(target))
        if stamp:
            (target.parent / "timestamp.txt").write_text(stamp)
    (folder / "policy.toml").write_text(POLICY)
    (folder / "extensions.csv").write_text(EXTENSIONS)
    (folder / "canvas.csv").write_text(ROSTER)
    command = ["grade", str(submissions), "--out", str(out), "--quiet", "--policy", str(folder / "policy.toml"),
               "--extensions", str(folder / "extensions.csv"), "--canvas-roster", str(folder / "canvas.csv")]
    grade(*command)
    return {"folder": folder, "submissions": submissions, "out": out, "command": command}


def test_late_policy_extension_and_time_sources_in_every_file(week):
    out, full = week["out"], course.max_score(ASSIGNMENT)
    rows = table(out / "grades.csv")
    assert set(rows) == set(SUBMITTED)
    assert {k: float(rows[k]["score"]) for k in ("ada", "ben", "eve")} == {"ada": full, "ben": full, "eve": full}
    # ben: 1 d 2 h 1 min late = two started days at 10 % each of the points.
    assert rows["ben"]["late_by"] == "P1DT2H1M" and float(rows["ben"]["penalty"]) == pytest.approx(0.2 * full)
    assert float(rows["ben"]["final_score"]) == pytest.approx(0.8 * full)
    assert rows["ben"]["submitted_at"] == "2027-01-17T02:00:00+00:00"
    assert rows["ada"]["late_by"] == "PT0S" and float(rows["ada"]["final_score"]) == full
    assert rows["cat"]["late_by"] == "PT0S" and float(rows["cat"]["penalty"]) == 0  # the extension covers it
    assert float(rows["eve"]["final_score"]) == 0 and float(rows["eve"]["penalty"]) == full
    assert rows["dan"]["submitted_at"] == "" and rows["dan"]["late_by"] == ""
    assert "no submission time" in rows["dan"]["reason"] and float(rows["dan"]["penalty"]) == 0

    # nbgrader's gradebook holds the same: due date, times, extension, penalty; its export subtracts it.
    with Gradebook(f"sqlite:///{out / 'workspace' / 'gradebook.db'}") as gb:
        assert gb.find_assignment(ASSIGNMENT).duedate == DUE_UTC
        ben, cat = gb.find_submission(ASSIGNMENT, "ben"), gb.find_submission(ASSIGNMENT, "cat")
        assert ben.timestamp == datetime.datetime(2027, 1, 17, 2, 0)
        assert ben.late_submission_penalty == pytest.approx(0.2 * full)
        assert cat.extension == datetime.timedelta(days=2) and cat.late_submission_penalty == 0
        assert gb.find_submission(ASSIGNMENT, "eve").late_submission_penalty == pytest.approx(full)
    exported = table_by(out / "nbgrader-grades.csv", "student_id")
    assert float(exported["ben"]["score"]) == pytest.approx(0.8 * full)
    assert float(exported["eve"]["score"]) == 0

    # The learner reads the penalty and why; a learner on time reads nothing new.
    page = (out / "feedback" / "ben" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "instructor-notes" in page and "2 days late" in page and "2027-01-15 23:59 GMT" in page
    assert "hard cutoff" in (out / "feedback" / "eve" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "instructor-notes" not in (out / "feedback" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    report = (out / "report.html").read_text()
    assert "Deadlines" in report and "nbgrader timestamp.txt: 4" in report
    assert "no submission time" in report and "illness (note on file)" in report

    # Canvas gets the final scores (scaled to its 100 points); the learner with no submission, nothing.
    with (out / "lms" / "canvas-import.csv").open(newline="") as f:
        canvas = {row[3]: row[5] for row in list(csv.reader(f))[2:]}
    assert canvas == {"ada": "100", "ben": "80", "cat": canvas["cat"], "dan": canvas["dan"], "eve": "0", "fay": ""}
    assert float(canvas["cat"]) == pytest.approx(100 * float(rows["cat"]["score"]) / full, abs=0.01)


def table_by(path: Path, key: str) -> dict[str, dict]:
    with path.open(newline="") as f:
        return {row[key]: row for row in csv.DictReader(f)}


def test_similarity_page_flags_the_learners_who_handed_in_the_same_answers(week):
    """ada's answer, handed in renamed and reformatted by ben, is flagged, and so are cat and eve, who
    both handed in the course's own solution to that cell; no grade changes for it."""
    page = (week["out"] / "similarity.html").read_text()
    flagged = re.findall(r"<h2>00_orientation · (\w+): (\w+) and (\w+) — (\d+) %</h2>", page)
    assert sorted(flagged) == [("ex_split_state", "ada", "ben", "100"), ("ex_split_state", "cat", "eve", "100")]
    report = (week["out"] / "report.html").read_text()
    assert "similarity.html" in report and "00_orientation: 2" in report
    rows = table(week["out"] / "grades.csv")
    assert float(rows["ada"]["score"]) == float(rows["ben"]["score"]) == course.max_score(ASSIGNMENT)


def test_override_then_regrade_one_learner_keeps_everything_else(week, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(week["out"], out)
    command = [*week["command"][:week["command"].index("--out")], "--out", str(out),
               *week["command"][week["command"].index("--out") + 2:]]
    grade(*command)  # a rebuild of the copy: its recorded command now points at it
    before = table(out / "grades.csv")
    results_before = {p.name: p.read_bytes() for p in (out / ".work" / "results").glob("*.json")}
    assert float(before["cat"]["score"]) < course.max_score(ASSIGNMENT)
    slope_points = course.points(ASSIGNMENT)[OVERRIDE_CELL]
    cat_competency_before = next(float(r["score"]) for r in csv.DictReader((out / "competencies.csv").open(newline=""))
                                 if r["learner_id"] == "cat"
                                 and r["competency"] == course.competencies(ASSIGNMENT)[OVERRIDE_CELL])

    # Bad overrides are refused and leave no trace.
    refused = grade("override", "--out", str(out), "--learner", "cat", "--assignment", ASSIGNMENT, "--cell",
                    "test_no_such_cell", "--points", "1", "--reason", "x", check=False)
    assert refused.returncode == 1 and "has no graded cell 'test_no_such_cell'" in refused.stderr
    assert OVERRIDE_CELL in refused.stderr and not (out / "overrides.csv").exists()

    done = grade("override", "--out", str(out), "--learner", "cat", "--assignment", ASSIGNMENT, "--cell",
                 OVERRIDE_CELL, "--points", f"{slope_points:g}", "--reason", "fit on the training split after review")
    assert "rebuilding" in done.stdout
    with (out / "overrides.csv").open(newline="") as f:
        recorded = list(csv.DictReader(f))
    assert [(r["learner_id"], r["cell"], r["reason"]) for r in recorded] == [
        ("cat", OVERRIDE_CELL, "fit on the training split after review")]
    after = table(out / "grades.csv")
    gain = slope_points - float(json.loads((out / ".work" / "results" / f"cat__{ASSIGNMENT}.json").read_text())
                                ["cells"][OVERRIDE_CELL][0])
    assert gain > 0
    assert float(after["cat"]["score"]) == pytest.approx(float(before["cat"]["score"]) + gain)
    assert {k: v for k, v in after.items() if k != "cat"} == {k: v for k, v in before.items() if k != "cat"}
    tag = course.competencies(ASSIGNMENT)[OVERRIDE_CELL]
    competencies = {(r["learner_id"], r["competency"]): float(r["score"])
                    for r in csv.DictReader((out / "competencies.csv").open(newline=""))}
    assert competencies[("cat", tag)] == pytest.approx(cat_competency_before + gain)
    competency_page = (out / "feedback" / "cat" / ASSIGNMENT / "competencies.html").read_text()
    assert f"{competencies[('cat', tag)]:g} / " in competency_page
    # The recorded result is never edited: the override is applied at every rebuild.
    assert {p.name: p.read_bytes() for p in (out / ".work" / "results").glob("*.json")} == results_before
    page = (out / "feedback" / "cat" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "fit on the training split after review" in page and page.count("instructor-notes") == 2  # mark + div
    report = (out / "report.html").read_text()
    assert "Instructor overrides" in report and "fit on the training split after review" in report
    with Gradebook(f"sqlite:///{out / 'workspace' / 'gradebook.db'}") as gb:
        grade_row = gb.find_grade(OVERRIDE_CELL, ASSIGNMENT, ASSIGNMENT, "cat")
        assert grade_row.manual_score == slope_points and grade_row.score == slope_points
        assert grade_row.auto_score == pytest.approx(slope_points - gain)

    # Regrade just cat: one submission graded, the override still applied, every other row kept.
    done = grade(*command, "--learner", "cat")
    assert json.loads((out / ".work" / "last_run.json").read_text())["graded_now"] == 1
    assert table(out / "grades.csv") == after
    now = {p.name: p.read_bytes() for p in (out / ".work" / "results").glob("*.json")}
    assert {k for k in now if now[k] != results_before[k]} <= {f"cat__{ASSIGNMENT}.json"}
    page = (out / "feedback" / "cat" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert page.count("fit on the training split after review") == 1  # notes never pile up

    # Removing the override gives the autograder's grade back.
    (out / "overrides.csv").write_text("learner_id,assignment,cell,points,reason,date\n")
    grade(*command)
    assert table(out / "grades.csv") == before


def test_bad_instructor_input_is_refused_before_any_grading(week, tmp_path):
    folder, submissions = week["folder"], week["submissions"]
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY.replace("2027-01-15 23:59", "2027-02-30 23:59"))
    out = tmp_path / "out"
    done = grade("grade", str(submissions), "--out", str(out), "--quiet", "--policy", str(policy), check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "2027-02-30" in done.stderr and "does not exist" in done.stderr, done.stderr
    assert not out.exists()

    extensions = tmp_path / "extensions.csv"
    extensions.write_text(EXTENSIONS + f"zed,{ASSIGNMENT},,1,travel\n")
    done = grade("grade", str(submissions), "--out", str(out), "--quiet", "--policy", str(folder / "policy.toml"),
                 "--extensions", str(extensions), check=False)
    assert done.returncode == 1 and "'zed'" in done.stderr and "line 3" in done.stderr, done.stderr
    assert not (out / ".work" / "results").exists()

    copy = tmp_path / "copy"
    shutil.copytree(week["out"], copy)
    (copy / "overrides.csv").write_text("learner_id,assignment,cell,points,reason,date\n"
                                        f"cat,{ASSIGNMENT},test_nothing,1,typo,\n")
    done = grade("grade", str(submissions), "--out", str(copy), "--quiet", check=False)
    assert done.returncode == 1 and "line 2" in done.stderr and "test_nothing" in done.stderr, done.stderr
    done = grade("grade", str(submissions), "--out", str(tmp_path / "new"), "--quiet", "--learner", "cat",
                 check=False)
    assert done.returncode == 1 and "grade the cohort first" in done.stderr, done.stderr


def test_canvas_download_zip_late_names_and_member_times(week, tmp_path):
    """A zip downloaded from Canvas: a name marked LATE is late by its member time, one not marked is
    on time, a plain file is timed by its member time (read in the policy's zone), and the report
    says which source each used. Canvas names carry the Canvas user id: the roster's ID column."""
    solution = nbformat.writes(fill(read(release_path(ASSIGNMENT)), solution_answers(ASSIGNMENT))).encode()
    archive = tmp_path / "submissions.zip"
    members = {  # name -> member time, London local (GMT in January)
        "ashada_1_901_00_orientation.ipynb": (2027, 1, 16, 10, 0, 0),     # Canvas says on time
        "bellben_LATE_2_902_00_orientation.ipynb": (2027, 1, 16, 10, 0, 0),  # 10 h 1 min late: one day
        "cat_00_orientation.ipynb": (2027, 1, 15, 23, 0, 0),              # no Canvas name: the zip's time
    }
    with zipfile.ZipFile(archive, "w") as zf:
        for name, when in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=when), solution)
    out = tmp_path / "out"
    grade("grade", str(archive), "--out", str(out), "--quiet", "--policy", str(week["folder"] / "policy.toml"),
          "--no-similarity", "--canvas-roster", str(week["folder"] / "canvas.csv"), "--canvas-match", "ID")
    rows, full = table(out / "grades.csv"), course.max_score(ASSIGNMENT)
    assert set(rows) == {"1", "2", "cat"}
    ada, ben = rows["1"], rows["2"]
    assert ada["late_by"] == "PT0S" and float(ada["final_score"]) == full
    assert "Canvas does not mark it late" in ada["reason"]  # the zip says later: flagged, no penalty
    assert ben["late_by"] == "PT10H1M" and float(ben["final_score"]) == pytest.approx(0.9 * full)
    assert rows["cat"]["submitted_at"] == "2027-01-15T23:00:00+00:00" and rows["cat"]["late_by"] == "PT0S"
    report = (out / "report.html").read_text()
    assert "Canvas file name (LATE); time from the zip (read as Europe/London): 1" in report
    assert "zip member time (read as Europe/London): 1" in report
    with (out / "lms" / "canvas-import.csv").open(newline="") as f:
        canvas = {row[1]: row[5] for row in list(csv.reader(f))[2:]}
    assert canvas["1"] == "100" and canvas["2"] == "90" and canvas["3"] == ""
