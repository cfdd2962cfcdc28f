"""Issue 17, the learner's practice loop end to end: one learner, three timed attempts at the mock exam
(different items, one over time), a competency missed in attempt 1 that comes back in spaced review at
the top of attempt 2, and the readiness page after each scored attempt. Through the real functions the
notebook and `make exam` / `make review` / `make readiness` call; time travels by passing `now`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from exam_answers import right_exam_answers

from coursekit import attempts, review
from coursekit.attempts import (
    AttemptLog,
    countdown,
    finish_attempt,
    new_attempt,
    readiness_path,
    self_check,
    start_attempt,
)
from coursekit.exam import ExamPaper
from coursekit.exam_bank import SLOTS
from coursekit.review import ReviewDeck, make_drill

T0 = datetime(2026, 12, 5, 9, 0, 0, tzinfo=UTC)
LEARNER = "jdoe42"
# What the self-check scores: every competency but tuning-code (the tuning task is the instructor's to grade).
SCORED = ("classify-settings", "definitions", "regularisation", "search-strategies", "tuning-hygiene", "gray-areas")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def answers(attempt: int, *, gray_right: bool = True) -> dict:
    """The notebook's globals() at the self-check cell: the paper cell's LEARNER_ID and ATTEMPT and the
    answer variables of every self-checked section, all right, or with Section 7 (gray-areas) labelled wrong."""
    given = right_exam_answers(LEARNER, attempt)
    if not gray_right:  # "neither" for every gray case: no key accepts that for all of them
        given["gray_exam_labels"] = dict.fromkeys(given["gray_exam_labels"], "neither")
    return given


def page_of(work) -> str:
    return readiness_path(LEARNER, work).read_text(encoding="utf-8")


def verdict_row(page: str, competency: str) -> str:
    row = re.search(rf"<tr><td>{competency}</td>.*?</tr>", page)
    assert row, competency
    return row.group(0)


@pytest.fixture
def work(tmp_path):
    return tmp_path / "my-work"


def test_three_attempts_a_missed_competency_comes_back_and_the_readiness_page_follows(work, capsys, monkeypatch):
    module = work / "09_mock_exam"
    module.mkdir(parents=True)

    # Attempt 1 (`make exam`): nothing scored yet, so nothing is due for review.
    first = new_attempt(LEARNER, cwd=module, now=at(0))
    assert first.attempt == 1 and "Due for review" not in capsys.readouterr().out
    folder1 = (work / first.notebook).parent
    clock = countdown(LEARNER, 1, cwd=folder1, show=False, now=at(1))
    assert clock.timed and clock.review_due == []
    # The self-check cell, with every gray case labelled wrong: gray-areas missed.
    results = self_check(answers(1, gray_right=False), cwd=folder1, now=at(40), show=False)
    assert results["gray-areas"] == {"earned": 0.0, "possible": 3.0}
    assert results["classify-settings"]["earned"] == 4.0 and results["tuning-hygiene"]["earned"] == 4.0
    out = capsys.readouterr().out
    assert f"Your readiness page: {readiness_path(LEARNER, work)}" in out
    assert "Readiness: Review gray-areas first." in out
    assert "Back for review (a short drill) from 2026-12-05 09:50 UTC: gray-areas; at the top of your next" in out
    # The readiness page after attempt 1: a chart per scored competency, the pass mark, a verdict naming it.
    page = page_of(work)
    assert page.count("<svg") == len(SCORED) and all(f">{c}</text>" in page for c in SCORED)
    assert "pass mark 70%" in page and "Pass mark: 70%" in page
    assert "Review gray-areas first." in page and ">review</td>" in verdict_row(page, "gray-areas")
    assert "1 scored attempt," in page
    # Running the self-check again, answers fixed: it says so, but the attempt's score (and the deck) stay.
    self_check(answers(1), cwd=folder1, now=at(42), show=False)
    assert "scored by its first self-check" in capsys.readouterr().out
    assert AttemptLog(work).attempt(LEARNER, 1).score["gray-areas"]["earned"] == 0.0
    assert "Review gray-areas first." in page_of(work)
    deck = ReviewDeck.load(work / ".exam" / f"review-{LEARNER}.json")
    assert deck.attempts_seen == {1} and deck.cards["gray-areas"].due == at(50)  # FSRS relearning step: 10 min
    assert deck.cards["classify-settings"].due > at(60 * 24)  # passed: back in days
    finish_attempt(LEARNER, 1, work, now=at(45))

    # Attempt 2: the missed competency comes back at the top of it (new_attempt's output, the countdown).
    second = new_attempt(LEARNER, cwd=module, now=at(70))
    out = capsys.readouterr().out
    assert second.attempt == 2 and "Due for review first: gray-areas (" in out
    assert "review_widget(learner='jdoe42')" in out
    folder2 = (work / second.notebook).parent
    clock = countdown(LEARNER, 2, cwd=folder2, now=at(71))
    clock._stop.set()  # the ticking thread
    assert clock.review_due == ["gray-areas"]
    assert "Due for review first: gray-areas" in capsys.readouterr().out
    # ... and in `make review`, which runs the drill (answered right: the card moves on, days away).
    assert review.main(["--work", str(work), "--learner", LEARNER, "--now", at(72).isoformat()]) == 0
    assert "Due for review: gray-areas" in capsys.readouterr().out
    drill = make_drill("gray-areas", int(at(73).timestamp()) % 100_000)  # the drill `--drill` runs at 73
    given = iter(question.answer for question in drill.questions)
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(given))
    assert review.main(["--work", str(work), "--learner", LEARNER, "--now", at(73).isoformat(), "--drill"]) == 0
    assert f"{len(drill.questions)} of {len(drill.questions)} right (Good)" in capsys.readouterr().out
    assert ReviewDeck.load(work / ".exam" / f"review-{LEARNER}.json").due(at(74)) == []
    # This time gray-areas is right, and the attempt finishes five minutes over time.
    assert self_check(answers(2), cwd=folder2, now=at(130), show=False)["gray-areas"]["earned"] == 3.0
    capsys.readouterr()
    finished = finish_attempt(LEARNER, 2, work, now=at(135))
    assert finished.over_time and finished.over_time_seconds() == 300
    summary = json.loads((folder2 / "attempt.json").read_text())
    assert summary["over_time_seconds"] == 300

    # Attempt 3: nothing due any more; all right again, within the time limit.
    third = new_attempt(LEARNER, cwd=module, now=at(200))
    assert third.attempt == 3 and "Due for review" not in capsys.readouterr().out
    folder3 = (work / third.notebook).parent
    assert countdown(LEARNER, 3, cwd=folder3, show=False, now=at(201)).review_due == []
    self_check(answers(3), cwd=folder3, now=at(240), show=False)
    assert not finish_attempt(LEARNER, 3, work, now=at(250)).over_time

    # The log: three attempts, three different papers, attempt 2 alone over time.
    records = AttemptLog(work).attempts(LEARNER)
    assert [r.attempt for r in records] == [1, 2, 3]
    for slot in SLOTS:
        assert len({r.items[slot] for r in records}) == 3, slot
    for r in records:
        assert r.items == {slot: item.id for slot, item in ExamPaper(LEARNER, r.attempt).items.items()}
    assert [r.over_time for r in records] == [False, True, False]
    assert [r.score["gray-areas"]["earned"] for r in records] == [0.0, 3.0, 3.0]
    deck = ReviewDeck.load(work / ".exam" / f"review-{LEARNER}.json")
    assert deck.attempts_seen == {1, 2, 3} and deck.due(at(260)) == []

    # The readiness page after attempt 3: the verdict changed; gray-areas no longer to review.
    page = page_of(work)
    assert "3 scored attempts" in page and page.count("<svg") == len(SCORED)
    assert "Review gray-areas" not in page and ">review</td>" not in verdict_row(page, "gray-areas")
    assert ">ready</td>" in verdict_row(page, "classify-settings")
    assert "Nearly there: take another attempt to confirm gray-areas." in page
    # `make readiness` rewrites the same page from the log.
    readiness_path(LEARNER, work).unlink()
    assert attempts.main(["readiness", "--learner", LEARNER, "--work", str(work)]) == 0
    out = capsys.readouterr().out
    assert str(readiness_path(LEARNER, work)) in out and "3 scored attempts" in out
    assert page_of(work) == page


def test_the_grader_sees_no_review_line_and_writes_nothing(tmp_path, capsys):
    """Under the grader (or in any copy that is no timed attempt) the countdown and the self-check stay
    silent about review and readiness, and write nothing."""
    graded = tmp_path / "autograded" / LEARNER / "09_mock_exam"
    graded.mkdir(parents=True)
    clock = countdown(LEARNER, 1, cwd=graded)
    assert not clock.timed and clock.review_due == []
    assert self_check(answers(1), cwd=graded) == {}
    untimed = tmp_path / "my-work" / "09_mock_exam"
    untimed.mkdir(parents=True)
    assert self_check(answers(1), cwd=untimed, show=False)["gray-areas"]["earned"] == 3.0
    out = capsys.readouterr().out
    assert "Due for review" not in out and "readiness" not in out.lower()
    assert not list(tmp_path.rglob(".exam"))


def test_a_self_check_shows_the_readiness_page_in_the_notebook(work, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objects, **_: shown.extend(objects))
    record = start_attempt(LEARNER, work, now=at(0))
    self_check(answers(1, gray_right=False), cwd=(work / record.notebook).parent, now=at(30), show=True)
    (html,) = shown
    assert "Review gray-areas first." in html.data and html.data.count("<svg") == len(SCORED)


def test_a_missed_computed_section_comes_back_in_review(work, capsys):
    """Sections 2, 3 and 5 are scored by the self-check too (digests of every paper's answers): a count
    gone wrong is a missed competency like any other, on the readiness page and in the review deck."""
    record = start_attempt(LEARNER, work, now=at(0))
    given = answers(1)
    given["learned_counts"] = {key: value + 1 for key, value in given["learned_counts"].items()}
    results = self_check(given, cwd=(work / record.notebook).parent, now=at(30), show=False)
    assert results["definitions"] == {"earned": 0.0, "possible": 2.0}
    assert all(results[c]["earned"] == results[c]["possible"] for c in SCORED if c != "definitions")
    out = capsys.readouterr().out
    assert "`learned_counts`: 0 of 2 points (count again: mlp, linear)." in out
    assert "Readiness: Review definitions first." in out
    assert ReviewDeck.load(work / ".exam" / f"review-{LEARNER}.json").due(at(60)) == ["definitions"]


def test_two_learners_sharing_a_working_copy_keep_their_own_review(work, capsys):
    """Each learner's misses come back in their own schedule (one file per learner), never in the other's,
    and `make review` asks whose schedule to show."""
    first = start_attempt(LEARNER, work, now=at(0))
    self_check(answers(1, gray_right=False), cwd=(work / first.notebook).parent, now=at(20), show=False)
    finish_attempt(LEARNER, 1, work, now=at(25))
    other = start_attempt("ana", work, now=at(30))
    given = right_exam_answers("ana", other.attempt)
    given["learned_counts"] = {key: value + 1 for key, value in given["learned_counts"].items()}
    self_check(given, cwd=(work / other.notebook).parent, now=at(40), show=False)
    capsys.readouterr()
    assert ReviewDeck.load(work / ".exam" / f"review-{LEARNER}.json").due(at(60)) == ["gray-areas"]
    assert ReviewDeck.load(work / ".exam" / "review-ana.json").due(at(60)) == ["definitions"]
    assert review.main(["--work", str(work), "--now", at(60).isoformat()]) == 2
    assert "several learners (ana, jdoe42)" in capsys.readouterr().err
