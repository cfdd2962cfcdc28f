"""coursekit.attempts: the attempt log (hash chain, damage, clock, double finish, abandon), starting an
attempt, the countdown, the practice self-check (hashed keys), and an attempt notebook run headless."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exam_answers import right_exam_answers
from notebook_tools import fill, read, release_path, run_notebook, solution_answers

from autograder.practice_keys import write_practice_keys
from coursekit import attempts
from coursekit.attempts import (
    KEYS_PATH,
    AttemptError,
    AttemptLog,
    ClockBackwards,
    LogDamaged,
    countdown,
    finish_attempt,
    self_check,
    start_attempt,
)
from coursekit.exam import ExamPaper
from coursekit.exam_bank import SLOTS
from coursekit.practice_digests import COMPUTED, unpack

T0 = datetime(2026, 12, 5, 9, 0, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def work(tmp_path) -> Path:
    return tmp_path / "my-work"


def log_bytes(work: Path) -> bytes:
    return (work / ".exam" / "attempts.json").read_bytes()


# Starting ------------------------------------------------------------------------------------------------
def test_start_writes_the_attempts_notebook_and_records_the_start(work):
    record = start_attempt(" JDoe42 ", work, now=at(0))
    assert (record.learner, record.attempt, record.started_at) == ("jdoe42", 1, "2026-12-05T09:00:00+00:00")
    assert record.time_limit_minutes == attempts.TIME_LIMIT_MINUTES == 60
    path = work / record.notebook
    assert path == work / "09_mock_exam" / "attempt-1" / "09_mock_exam.ipynb"
    notebook = json.loads(path.read_text())
    paper_cell = next(c for c in notebook["cells"] if "".join(c["source"]).startswith("LEARNER_ID"))
    source = "".join(paper_cell["source"])
    assert re.search(r'^LEARNER_ID = "jdoe42"', source, re.M) and re.search(r"^ATTEMPT = 1\b", source, re.M)
    summary = notebook["metadata"]["course"]["attempt"]
    assert summary["learner"] == "jdoe42" and summary["attempt"] == 1 and summary["finished_at"] is None
    assert summary["started_at"] == record.started_at and summary["time_limit_minutes"] == 60
    # The log: one typed record, with the items the paper draws.
    (logged,) = AttemptLog(work).attempts("jdoe42")
    assert logged.items == {slot: item.id for slot, item in ExamPaper("jdoe42", 1).items.items()}
    assert logged.open and logged.notebook == "09_mock_exam/attempt-1/09_mock_exam.ipynb"


def test_three_attempts_draw_different_items_and_number_on(work):
    for number in (1, 2, 3):
        record = start_attempt("jdoe42", work, now=at(70 * number))
        assert record.attempt == number
        finish_attempt("jdoe42", number, work, now=at(70 * number + 30))
    records = AttemptLog(work).attempts("jdoe42")
    assert [r.attempt for r in records] == [1, 2, 3]
    for slot in SLOTS:
        assert len({r.items[slot] for r in records}) == 3, slot
    for r in records:
        assert r.items == {slot: item.id for slot, item in ExamPaper("jdoe42", r.attempt).items.items()}
        source = (work / r.notebook).read_text()
        assert f"ATTEMPT = {r.attempt} " in source


@pytest.mark.parametrize("typed", ["", "   ", None, "bad id", "-dash-first", "ané", "a/b", "x;rm"])
def test_unknown_learner_ids_are_refused_and_nothing_is_written(work, typed):
    with pytest.raises(AttemptError, match="Unknown learner id"):
        start_attempt(typed, work, now=at(0))
    assert not work.exists()


def test_jupyterhub_user_must_match(work, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    with pytest.raises(AttemptError, match="JupyterHub"):
        start_attempt("ben", work, now=at(0))
    assert start_attempt("Ana", work, now=at(0)).learner == "ana"


def test_an_open_attempt_must_be_finished_or_abandoned(work):
    start_attempt("jdoe42", work, now=at(0))
    before = log_bytes(work)
    with pytest.raises(AttemptError, match=r"Attempt 1 of 'jdoe42' .* still open.*Finish attempt.*--abandon"):
        start_attempt("jdoe42", work, now=at(5))
    assert log_bytes(work) == before
    second = start_attempt("jdoe42", work, now=at(6), abandon=True)
    first, again = AttemptLog(work).attempts("jdoe42")
    assert first.abandoned_at == "2026-12-05T09:06:00+00:00" and not first.open and again.attempt == second.attempt == 2
    with pytest.raises(AttemptError, match="abandoned"):
        finish_attempt("jdoe42", 1, work, now=at(7))
    # Another learner in the same working copy is not blocked by jdoe42's open attempt.
    assert start_attempt("ana", work, now=at(8)).learner == "ana"


# Finishing -----------------------------------------------------------------------------------------------
def test_finish_records_over_time_once_and_in_the_notebook(work):
    start_attempt("jdoe42", work, now=at(0))
    record = finish_attempt("jdoe42", 1, work, now=at(61.5))
    assert record.over_time and record.over_time_seconds() == 90
    before = log_bytes(work)
    with pytest.raises(AttemptError, match="already finished at 2026-12-05T10:01:30.*recorded once"):
        finish_attempt("jdoe42", 1, work, now=at(62))
    assert log_bytes(work) == before
    entries = AttemptLog(work).entries()
    assert [e["event"] for e in entries] == ["start", "finish"] and entries[1]["over_time_seconds"] == 90
    summary = json.loads((work / record.notebook).with_name("attempt.json").read_text())
    assert summary["finished_at"] == "2026-12-05T10:01:30+00:00" and summary["over_time_seconds"] == 90
    assert summary["digest"] == entries[-1]["digest"] and summary["started_at"] == "2026-12-05T09:00:00+00:00"
    # The notebook keeps the start (it may be open in JupyterLab: finishing never rewrites it).
    started = json.loads((work / record.notebook).read_text())["metadata"]["course"]["attempt"]
    assert started["started_at"] == summary["started_at"] and started["digest"] == entries[0]["digest"]
    with pytest.raises(AttemptError, match="not in your attempt log"):
        finish_attempt("jdoe42", 7, work, now=at(63))


def test_within_time_is_not_over_time(work):
    start_attempt("jdoe42", work, now=at(0))
    record = finish_attempt("jdoe42", 1, work, now=at(60))
    assert not record.over_time and record.over_time_seconds() == 0


def test_a_clock_set_backwards_is_refused_and_nothing_recorded(work):
    start_attempt("jdoe42", work, now=at(0))
    before = log_bytes(work)
    refused = "clock reads 2026-12-05T08:00:00.*Set the clock right.*nothing was recorded"
    with pytest.raises(ClockBackwards, match=refused):
        finish_attempt("jdoe42", 1, work, now=at(-60))
    with pytest.raises(ClockBackwards):
        start_attempt("jdoe42", work, now=at(-60), abandon=True)
    assert log_bytes(work) == before
    assert not (work / "09_mock_exam" / "attempt-2").exists()


# A damaged log -------------------------------------------------------------------------------------------
def _three_entries(work):
    start_attempt("jdoe42", work, now=at(0))
    finish_attempt("jdoe42", 1, work, now=at(30))
    start_attempt("jdoe42", work, now=at(40))


def test_a_hand_edited_entry_is_named(work):
    _three_entries(work)
    path = work / ".exam" / "attempts.json"
    data = json.loads(path.read_text())
    data["entries"][2]["at"] = "2026-12-05T09:50:00+00:00"  # "I started later than I did"
    path.write_text(json.dumps(data))
    edited = path.read_bytes()
    with pytest.raises(LogDamaged) as refused:
        finish_attempt("jdoe42", 2, work, now=at(90))
    message = str(refused.value)
    assert "edited by hand at entry 3 (attempt 2 of 'jdoe42')" in message
    assert "attempts.json.bak" in message and "python -m coursekit.attempts reset" in message
    assert path.read_bytes() == edited  # nothing recorded on top of a damaged log
    with pytest.raises(LogDamaged):
        start_attempt("jdoe42", work, now=at(90), abandon=True)
    # A finish deleted from the middle breaks the chain too.
    data["entries"][2]["at"] = "2026-12-05T09:40:00+00:00"
    del data["entries"][1]
    path.write_text(json.dumps(data))
    with pytest.raises(LogDamaged, match="edited by hand at entry 2"):
        AttemptLog(work).attempts()


def test_a_truncated_log_and_removed_entries_are_detected_and_reset_loses_nothing(work):
    _three_entries(work)
    path = work / ".exam" / "attempts.json"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(LogDamaged, match="damaged .*cut short.*restore it from .*attempts.json.bak"):
        AttemptLog(work).entries()
    # Valid JSON, last entry removed: the head file notices.
    data = json.loads(whole)
    data["entries"] = data["entries"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(LogDamaged, match="holds 2 entries, but it held 3"):
        AttemptLog(work).entries()
    # Starting over keeps the damaged log beside the new one and never reuses an attempt folder.
    kept = AttemptLog(work).reset(now=at(50))
    assert kept.exists() and json.loads(kept.read_text())["entries"]
    record = start_attempt("jdoe42", work, now=at(50))
    assert record.attempt == 3  # attempt-1 and attempt-2 folders are still there
    assert (work / "09_mock_exam" / "attempt-1").exists() and (work / "09_mock_exam" / "attempt-2").exists()


def test_a_deleted_log_with_its_head_left_is_detected(work):
    _three_entries(work)
    (work / ".exam" / "attempts.json").unlink()
    with pytest.raises(LogDamaged, match="missing"):
        start_attempt("jdoe42", work, now=at(90))


# The countdown -------------------------------------------------------------------------------------------
def test_countdown_text_and_finish_button_headless(work):
    record = start_attempt("jdoe42", work, now=at(0))
    folder = (work / record.notebook).parent
    clock = countdown("jdoe42", 1, cwd=folder, show=False)
    assert clock.timed
    assert clock.text(at(0)) == "Attempt 1: 60:00 left of 60 minutes."
    assert clock.text(at(12.5)) == "Attempt 1: 47:30 left of 60 minutes."
    assert clock.text(at(61 + 5 / 60)) == "Attempt 1: over time by 01:05. Finish when you are ready."
    widget = clock.widget
    label, button, status = widget.children
    started = time.perf_counter()
    clock.update(at(1))
    assert time.perf_counter() - started < 0.1
    assert "59:00 left" in label.value and not button.disabled
    clock.clock = lambda: at(75)
    button.click()  # the Finish attempt button's handler
    assert "over time by 15:00" in label.value and button.disabled
    button.click()  # twice: a clear message, counted once
    assert "already finished" in status.value
    events = [e["event"] for e in AttemptLog(work).entries()]
    assert events.count("finish") == 1
    assert AttemptLog(work).attempt("jdoe42", 1).over_time_seconds() == 15 * 60


def test_countdown_ticks_without_blocking(work):
    started = attempts.utc_now()
    record = start_attempt("jdoe42", work, now=started)
    clock = countdown("jdoe42", 1, cwd=(work / record.notebook).parent, show=False)
    label = clock.widget.children[0]
    # A clock frozen 5 minutes in: the label reads 55:00 whenever the thread's first tick comes (a
    # loaded machine may take seconds), and only a tick from the thread can have written it.
    clock.clock = lambda: started + timedelta(minutes=5)
    clock.start_ticking(interval=0.05)
    deadline = time.monotonic() + 30
    while "55:00" not in label.value and time.monotonic() < deadline:
        time.sleep(0.02)
    clock._stop.set()
    assert "55:00" in label.value


def test_countdown_outside_a_timed_attempt_does_nothing(tmp_path, capsys):
    # The grader's folder, the solutions, a learner's untimed copy: one line, no widget, no log written.
    for cwd in (tmp_path / "autograded" / "jdoe42" / "09_mock_exam", tmp_path / "my-work" / "09_mock_exam",
                tmp_path / "my-work" / "09_mock_exam" / "attempt-1"):
        cwd.mkdir(parents=True, exist_ok=True)
        clock = countdown("jdoe42", 1, cwd=cwd)
        assert not clock.timed
    assert capsys.readouterr().out.count("Not a timed attempt") == 3
    assert not list(tmp_path.rglob(".exam"))


# The practice self-check ---------------------------------------------------------------------------------
def correct_answers(learner: str, attempt: int) -> dict:
    answers = right_exam_answers(learner, attempt)
    answers["mixed_labels"] = {q: label.upper() for q, label in answers["mixed_labels"].items()}  # case-blind
    answers["scenario_answers"] = {q: letter.lower() for q, letter in answers["scenario_answers"].items()}
    return answers


ALL_RIGHT = {"classify-settings": {"earned": 4.0, "possible": 4.0}, "definitions": {"earned": 2.0, "possible": 2.0},
             "regularisation": {"earned": 3.0, "possible": 3.0}, "search-strategies": {"earned": 3.0, "possible": 3.0},
             "tuning-hygiene": {"earned": 4.0, "possible": 4.0}, "gray-areas": {"earned": 3.0, "possible": 3.0}}


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_self_check_scores_right_answers_full_and_wrong_ones_nothing(work, attempt, capsys):
    answers = correct_answers("jdoe42", attempt)
    assert self_check(answers, cwd=work) == ALL_RIGHT
    first_setting = next(iter(answers["mixed_labels"]))
    wrong = {**answers, "mixed_labels": {**answers["mixed_labels"], first_setting: "no idea"}}
    del wrong["gray_exam_labels"]  # not answered at all
    wrong["learned_counts"] = {**answers["learned_counts"], "linear": answers["learned_counts"]["linear"] + 1}
    budget = answers["budget_answers"]
    wrong["budget_answers"] = {**budget, "random_distinct_C": budget["grid_distinct_C"]}  # as many C as the grid
    wrong["kept_features"] = ["age"]  # not three (the ridge item) or a set with features missing
    assert self_check(wrong, cwd=work) == {
        **ALL_RIGHT,
        "classify-settings": {"earned": 0.0, "possible": 4.0},
        "definitions": {"earned": 1.0, "possible": 2.0},
        "regularisation": {"earned": 0.0, "possible": 3.0},
        "search-strategies": {"earned": 2.25, "possible": 3.0},
        "gray-areas": {"earned": 0.0, "possible": 3.0},
    }
    out = capsys.readouterr().out
    assert "not all right yet" in out and "Section 4 (the tuning task): graded by your instructor" in out
    assert "1 of 2 points (count again: linear)" in out and "look again at: random_distinct_C" in out
    assert first_setting not in out  # never says which item is wrong


def test_self_check_records_into_a_timed_attempt_and_skips_under_the_grader(work, tmp_path, capsys):
    record = start_attempt("jdoe42", work, now=at(0))
    folder = (work / record.notebook).parent
    results = self_check(correct_answers("jdoe42", 1), cwd=folder, now=at(20))
    assert AttemptLog(work).attempt("jdoe42", 1).self_check == results
    graded = tmp_path / "autograded" / "jdoe42" / "09_mock_exam"
    graded.mkdir(parents=True)
    assert self_check(correct_answers("jdoe42", 1), cwd=graded) == {}
    assert "your instructor grades" in capsys.readouterr().out


def test_the_keys_file_holds_no_answer_and_follows_the_hidden_tests(tmp_path):
    text = KEYS_PATH.read_text()
    for word in ("parameter", "neither", "hyperparameter"):
        assert word not in text.lower()
    keys = json.loads(text)
    for item, key in keys["items"].items():
        if key["slot"] in COMPUTED:  # digests of (part, numbers, answer), packed: no number, no feature name
            assert set(key) == {"slot", "digests"} and re.fullmatch(r"[A-Za-z0-9+/]+=*", key["digests"]), item
            assert len(unpack(key["digests"])) > 1000, item
        else:
            assert set(key) == {"slot", "hashes"}, item
            assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in key["hashes"]), item
    for letter in "ABCD":
        assert f'"{letter}"' not in text
    for feature in ExamPaper("jdoe42", 1).penalty.split.X_train.columns:
        assert f'"{feature}"' not in text
    # Up to date with solutions/ (make release writes it; the output depends only on the keys).
    fresh = tmp_path / "keys.json"
    write_practice_keys(fresh)
    assert fresh.read_text() == text, "coursekit/exam_practice_keys.json is stale: run `make release`"


# The command line ----------------------------------------------------------------------------------------
def test_command_line_start_finish_status_and_errors(work, capsys):
    assert attempts.main(["start", "--learner", "JDoe42", "--work", str(work)]) == 0
    out = capsys.readouterr().out
    assert "Attempt 1 of 'jdoe42' started" in out
    assert str(work / "09_mock_exam" / "attempt-1" / "09_mock_exam.ipynb") in out
    assert attempts.main(["start", "--learner", "jdoe42", "--work", str(work)]) == 2
    assert "still open" in capsys.readouterr().err
    assert attempts.main(["start", "--learner", "", "--work", str(work)]) == 2
    assert "Unknown learner id" in capsys.readouterr().err
    assert attempts.main(["finish", "--learner", "jdoe42", "--attempt", "1", "--work", str(work)]) == 0
    assert attempts.main(["status", "--learner", "jdoe42", "--work", str(work)]) == 0
    assert "attempt 1: started" in capsys.readouterr().out


def test_work_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSEKIT_WORK", str(tmp_path / "elsewhere"))
    record = start_attempt("jdoe42", now=at(0))
    assert (tmp_path / "elsewhere" / record.notebook).exists()
    assert (tmp_path / "elsewhere" / ".exam" / "attempts.json").exists()


# An attempt notebook, run headless -----------------------------------------------------------------------
def test_an_attempt_notebook_runs_headless_with_its_countdown_and_self_check(work):
    record = start_attempt("jdoe42", work, now=attempts.utc_now(), template=release_path("09_mock_exam"))
    path = work / record.notebook
    # The learner answers every exercise (the solution's code, which reads the paper).
    answered = fill(read(path), solution_answers("09_mock_exam"))
    executed = run_notebook(answered, cwd=path.parent, timeout=600)
    stderr = [o for c in executed.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not stderr and not errors, (stderr, errors)
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), "no countdown"
    text = "\n".join(o.get("text", "") for o in outputs)
    assert "Paper of 'jdoe42', attempt 1" in text and text.count(": all right.") == 6
    logged = AttemptLog(work).attempt("jdoe42", 1)
    assert logged.open and logged.self_check == ALL_RIGHT
    # The self-check wrote the readiness page and showed it under the cell (issue 17).
    assert attempts.readiness_path("jdoe42", work).exists()
    shown = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("Readiness: jdoe42" in html and html.count("<svg") == 6 for html in shown)
