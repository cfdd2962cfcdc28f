"""The cohort grading command with real nbgrader and the real sandbox: one batch of good, wrong
and hostile submissions (tests/hostile/cohort.py) graded once by the command line, then checked
from every side; N workers against one; a run killed with SIGKILL and started again."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from dask_cluster import LoopbackCluster
from hostile.cohort import ASSIGNMENT, FULL, build
from nbgrader.api import Gradebook
from notebook_tools import SOLUTIONS, fill, read, release_path, solution_answers, wrong_answers

from autograder import course, sandbox

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("cohort")
# Short limits keep the batch fast; the loop must hit the cell limit, not the notebook one.
LIMITS = ["--cell-timeout", "40", "--notebook-timeout", "150", "--memory-mb", "2048"]


def requires_sandbox():
    why = sandbox.probe()
    if why:
        pytest.skip(f"the sandbox cannot be built on this machine: {why}")


def run_grade(submissions: Path, out: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--quiet", *extra],
        cwd=REPO, capture_output=True, text=True, timeout=1500,
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def rows(out: Path) -> list[dict]:
    with (out / "grades.csv").open() as f:
        return list(csv.DictReader(f))


def printed_by(out: Path, learner: str) -> str:
    """Everything the learner's code printed or raised while it was graded."""
    notebook = read(out / "workspace" / "autograded" / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return "\n".join(
        o.get("text", "") + o.get("evalue", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
    )


def fingerprint(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    requires_sandbox()
    submissions = tmp_path_factory.mktemp("hostile-submissions")
    out = tmp_path_factory.mktemp("hostile-graded")
    expected = build(submissions, out, SOLUTIONS)
    before = fingerprint(submissions, SOLUTIONS, REPO / "notebooks" / ASSIGNMENT)
    started = time.monotonic()
    result = run_grade(submissions, out, "--workers", "2", *LIMITS)
    return {
        "out": out, "submissions": submissions, "expected": expected, "before": before,
        "result": result, "seconds": time.monotonic() - started,
        "rows": {(r["learner_id"], r["assignment"]): r for r in rows(out)},
    }


def test_every_submission_gets_one_row_with_a_status_and_a_readable_reason(batch):
    table = rows(batch["out"])
    keys = [(r["learner_id"], r["assignment"]) for r in table]
    assert len(keys) == len(set(keys)), "duplicate rows in grades.csv"
    assert {learner for learner, _ in keys} == set(batch["expected"]), "a learner is missing from grades.csv"
    for learner, want in batch["expected"].items():
        row = batch["rows"][(learner, ASSIGNMENT)]
        assert row["status"] in want["status"], f"{learner}: {row}"
        if "score" in want:
            assert float(row["score"]) == want["score"], f"{learner}: {row}"
        assert float(row["max_score"]) == FULL
        if row["status"] != "graded" or "reason" in want:
            assert len(row["reason"]) > 20, f"{learner} needs a reason a learner can read: {row}"
            assert "Traceback" not in row["reason"]
        if "reason" in want:
            assert want["reason"] in row["reason"], f"{learner}: {row['reason']}"


def test_hostile_code_reaches_nothing_outside_its_folder(batch):
    out = batch["out"]
    assert fingerprint(batch["submissions"], SOLUTIONS, REPO / "notebooks" / ASSIGNMENT) == batch["before"], (
        "grading modified the submissions, solutions/ or the release"
    )
    printed = {learner: printed_by(out, learner) for learner in ("network", "reads-solutions", "writes-gradebook")}
    assert "NETWORK REACHED" not in printed["network"] and "Network is unreachable" in printed["network"]
    assert "looked at" in printed["reads-solutions"], printed["reads-solutions"][-2000:]
    assert "BEGIN HIDDEN TESTS" not in printed["reads-solutions"] and "BEGIN SOLUTION" not in printed["reads-solutions"]
    assert "HIDDEN TESTS SEEN" not in printed["reads-solutions"], "a readable gradebook or notebook has hidden tests"
    assert "WROTE" not in printed["writes-gradebook"] and "refused" in printed["writes-gradebook"]
    with sqlite3.connect(out / "workspace" / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Gradebook(f"sqlite:///{out / 'workspace' / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "writes-gradebook").score == FULL - 3
        assert gb.find_submission(ASSIGNMENT, "good").score == FULL


def test_feedback_report_and_competencies_for_every_learner(batch):
    out = batch["out"]
    for learner in batch["expected"]:
        folder = out / "feedback" / learner / ASSIGNMENT
        page = (folder / f"{ASSIGNMENT}.html").read_text()
        assert "BEGIN HIDDEN TESTS" not in page
        assert len(page) < 2_000_000, f"{learner}'s feedback is {len(page):,} characters"
        assert "competency" in (folder / "competencies.html").read_text()
    with (out / "competencies.csv").open() as f:
        good = {r["competency"]: (float(r["score"]), float(r["max_score"]))
                for r in csv.DictReader(f) if r["learner_id"] == "good"}
    assert good and all(s == m > 0 for s, m in good.values()), good
    assert sum(m for _, m in good.values()) == FULL
    report = (out / "report.html").read_text()
    assert report.count("<svg") >= 3 and "competency" in report
    assert "os-exit" in report  # the problems table


CANVAS_EXPORT = """Student,ID,SIS User ID,SIS Login ID,Section,00 Orientation (5001),Current Score
    Points Possible,,,,,100.00,(read only)
"Doe, Jane",11,S1,good,Cohort A,,
"Roe, Rich",12,S2,untouched,Cohort A,42,
"Poe, Edgar",13,S3,no-submission,Cohort A,7,
"Loop, Lou",14,S4,loops,Cohort A,,
"""


def test_grades_go_into_the_canvas_and_moodle_files_and_leftovers_are_listed(batch, tmp_path):
    """Rerun on a copy of the graded batch with the roster Canvas exported: nothing is regraded, the
    run's grades are filled into that very file (scaled to its points possible), every submission
    that matches nobody in the roster is named on the terminal and in the report, and the answers
    compared between learners are linked from it."""
    out = tmp_path / "out"
    shutil.copytree(batch["out"], out)
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT)
    result = run_grade(batch["submissions"], out, *LIMITS, "--canvas-roster", str(roster), "--moodle")
    assert json.loads((out / ".work" / "last_run.json").read_text())["graded_now"] == 0
    with (out / "lms" / "canvas-import.csv").open(newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == CANVAS_EXPORT.splitlines()[0].split(",")
    assert table[1] == next(csv.reader([CANVAS_EXPORT.splitlines()[1]]))  # points possible, untouched
    by_login = {row[3]: row for row in table[2:]}
    assert list(by_login) == ["good", "untouched", "no-submission", "loops"]
    assert float(by_login["good"][5]) == 100 and float(by_login["untouched"][5]) == 0
    assert float(by_login["loops"][5]) == round(100 * (FULL - 3) / FULL, 2)
    assert by_login["no-submission"][5] == "7"  # no result: Canvas keeps what it has
    assert by_login["good"][0] == "Doe, Jane" and by_login["good"][6] == ""
    assert "match nobody in the roster" in result.stderr and "sys-exit (00_orientation)" in result.stderr
    report = (out / "report.html").read_text()
    assert "canvas-import.csv" in report and "flatlearner (00_orientation)" in report
    assert "Similar answers" in report and "similarity.html" in report  # compared on every run
    assert "answers from" in (out / "similarity.html").read_text()
    with (out / "lms" / "moodle-import.csv").open(newline="") as f:
        moodle = {row["username"]: row for row in csv.DictReader(f)}
    assert float(moodle["good"]["00_orientation"]) == FULL and "flatlearner" in moodle


def test_a_roster_with_a_duplicate_id_is_refused_before_any_grading(tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT.replace("S4,loops", "S4,good"))
    out = tmp_path / "out"
    result = run_grade(small_cohort(tmp_path / "subs"), out, "--canvas-roster", str(roster), check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "lines 3 and 6" in result.stderr and "'good'" in result.stderr, result.stderr
    assert not out.exists()


def test_one_worker_gives_the_same_grades_as_two(batch, tmp_path):
    """The batch ran with 2 workers; grade a handful of the same files with 1 and compare."""
    subset = tmp_path / "subset"
    for learner in ("good", "untouched", "sys-exit", "edits-locked-test"):
        source = batch["submissions"] / learner
        for path in source.rglob("*.ipynb"):
            target = subset / path.relative_to(batch["submissions"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    out = tmp_path / "one"
    run_grade(subset, out, "--workers", "1", *LIMITS)
    for row in rows(out):
        assert row == batch["rows"][(row["learner_id"], row["assignment"])]
    with Gradebook(f"sqlite:///{out / 'workspace' / 'gradebook.db'}") as one, \
            Gradebook(f"sqlite:///{batch['out'] / 'workspace' / 'gradebook.db'}") as two:
        for row in rows(out):
            a = one.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, row["learner_id"])
            b = two.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, row["learner_id"])
            assert {g.name: g.score for g in a.grades} == {g.name: g.score for g in b.grades}


def test_a_run_killed_half_way_resumes_to_the_same_grades(tmp_path):
    requires_sandbox()
    release = read(release_path(ASSIGNMENT))
    correct = solution_answers(ASSIGNMENT)
    learners = {"s1": fill(release, correct), "s2": release, "s3": fill(release, correct)}
    for grade_id, wrong in list(wrong_answers(ASSIGNMENT).items())[:1]:
        learners["w1"] = fill(release, {**correct, grade_id: wrong})
    # An LMS export as a zip: <learner>_<anything>.ipynb, assignment read from the metadata.
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for learner, notebook in learners.items():
            zf.writestr(f"export/{learner}_submission_{ASSIGNMENT[:2]}.ipynb", nbformat.writes(notebook))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "grade", str(archive), "--out", str(out), "--quiet",
               "--workers", "1", *LIMITS]
    process = subprocess.Popen(command, cwd=REPO, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = out / ".work" / "results"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and len(list(results.glob("*.json"))) < 1 and process.poll() is None:
        time.sleep(0.2)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "grades.csv").exists()
    run_grade(archive, out, "--workers", "1", *LIMITS, "--db-url", f"sqlite:///{tmp_path / 'shared.db'}")
    table = rows(out)
    assert sorted(r["learner_id"] for r in table) == sorted(learners)
    scores = {r["learner_id"]: float(r["score"]) for r in table}
    assert scores["s1"] == scores["s3"] == FULL and scores["s2"] == 0 and 0 < scores["w1"] < FULL
    # --db-url reached nbgrader: the grades are in that database, once each.
    with sqlite3.connect(tmp_path / "shared.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM submitted_assignment").fetchone()[0] == len(learners)
    with Gradebook(f"sqlite:///{tmp_path / 'shared.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "s1").score == FULL


def test_command_line_help_documents_the_interface():
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", "--help"], cwd=REPO,
                            capture_output=True, text=True, check=True)
    for option in ("--out", "--workers", "--db-url", "--cell-timeout", "--notebook-timeout", "zip"):
        assert option in result.stdout


# ---------------------------------------------------------------------------------------------
# The same grading on a real Dask cluster: `dask scheduler` and `dask worker` processes on loopback.


def small_cohort(folder: Path) -> Path:
    release = read(release_path(ASSIGNMENT))
    for learner, notebook in {"ada": fill(release, solution_answers(ASSIGNMENT)), "bob": release}.items():
        target = folder / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
    return folder


def test_a_loopback_cluster_grades_like_the_local_run_though_a_worker_is_killed(batch, tmp_path):
    """The hostile batch again, through --scheduler, with one of two workers killed (nanny and all,
    as if its machine were lost) while it grades: every row is there once, as the local run gave it."""
    out = tmp_path / "remote"
    with LoopbackCluster(tmp_path / "cluster", workers=2) as cluster:
        command = [sys.executable, "-m", "autograder", "grade", str(batch["submissions"]), "--out", str(out),
                   "--quiet", "--scheduler", cluster.address, *LIMITS]
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            cluster.kill(cluster.busy_worker())
            stdout, stderr = process.communicate(timeout=1500)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, stderr[-3000:]
    table = rows(out)
    keys = [(r["learner_id"], r["assignment"]) for r in table]
    assert len(keys) == len(set(keys)) and set(keys) == set(batch["rows"]), "a row missing or duplicated"
    for row in table:
        local = batch["rows"][(row["learner_id"], row["assignment"])]
        want = batch["expected"][row["learner_id"]]
        assert row["status"] in want["status"], row
        if len(want["status"]) == 1:  # fork bomb and memory hog may fairly end either way, elsewhere exact
            assert row == local, f"remote {row} != local {local}"
    printed = printed_by(out, "network")
    assert "NETWORK REACHED" not in printed and "Network is unreachable" in printed
    assert "HIDDEN TESTS SEEN" not in printed_by(out, "reads-solutions")
    assert "WROTE" not in printed_by(out, "writes-gradebook")
    run = json.loads((out / ".work" / "last_run.json").read_text())
    assert run["scheduler"] == cluster.address and run["sandbox"] and 1 <= run["workers"] <= 2
    assert f"on {cluster.address}" in (out / "report.html").read_text()


def test_a_worker_with_another_checkout_is_refused(tmp_path):
    requires_sandbox()
    checkout = tmp_path / "other-checkout"
    for part in ("solutions", "coursekit", "data", "autograder"):
        shutil.copytree(REPO / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__", "workspace"))
    shutil.copy(REPO / "requirements.txt", checkout)
    edited = checkout / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    edited.write_text(edited.read_text().replace("training patients", "training rows", 1))
    out = tmp_path / "out"
    with LoopbackCluster(tmp_path / "cluster", workers=1, checkout=checkout) as cluster:
        result = run_grade(small_cohort(tmp_path / "subs"), out, "--scheduler", cluster.address, check=False)
    assert result.returncode == 1
    error = result.stderr
    assert f"refuses {ASSIGNMENT}" in error and str(checkout) in error, error[-2000:]
    assert course.source_digest(ASSIGNMENT)[:16] in error, "the client's digest is named"
    assert "git pull" in error and "Traceback" not in error
    assert not (out / "grades.csv").exists()


def test_an_unreachable_scheduler_fails_at_once_and_writes_nothing(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(small_cohort(tmp_path / "subs")), "--out", str(out),
         "--scheduler", f"tcp://127.0.0.1:{port}"], cwd=REPO, capture_output=True, text=True, timeout=90)
    assert result.returncode == 1
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()



def test_a_submission_whose_worker_dies_twice_is_crashed_not_retried_forever(tmp_path):
    """Kill, twice, whichever worker holds one slow submission (as if it took its machine down):
    Dask retries it once on another worker, then it is recorded as crashed with a reason, and the
    other submissions are graded as usual by the worker left."""
    requires_sandbox()
    submissions = small_cohort(tmp_path / "subs")
    slow = fill(read(release_path(ASSIGNMENT)), {**solution_answers(ASSIGNMENT),
                                                 "ex_split_state": "import time\ntime.sleep(30)"})
    (submissions / "slow" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(slow, str(submissions / "slow" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    out = tmp_path / "out"
    with LoopbackCluster(tmp_path / "cluster", workers=3) as cluster:
        command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--quiet",
                   "--scheduler", cluster.address, *LIMITS]
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(2):
                cluster.kill(cluster.busy_worker(holding=f"grade-slow__{ASSIGNMENT}"))
            _, stderr = process.communicate(timeout=900)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, stderr[-3000:]
    table = {r["learner_id"]: r for r in rows(out)}
    assert table["slow"]["status"] == "crashed" and float(table["slow"]["score"]) == 0
    assert "stopped twice" in table["slow"]["reason"]
    assert float(table["ada"]["score"]) == FULL and float(table["bob"]["score"]) == 0
