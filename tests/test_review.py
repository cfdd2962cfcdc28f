"""Spaced review (coursekit/review.py): the FSRS schedule, its file, the drills, the widget and the CLI.
Time travels by passing `now`; nothing sleeps."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from coursekit.readiness import COMPETENCIES, AttemptScore
from coursekit.review import (
    DRILLS,
    AmbiguousSchedule,
    ReviewDeck,
    default_state,
    exam_settings,
    main,
    make_drill,
    review_widget,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def attempt(n: int, when: datetime, **shares: float) -> AttemptScore:
    return AttemptScore(n, when, {c.replace("_", "-"): (10 * s, 10.0) for c, s in shares.items()})


def test_a_missed_competency_is_due_sooner_than_a_mastered_one(tmp_path):
    deck = ReviewDeck.load(tmp_path / "review.json")
    ratings = deck.record_attempt(attempt(1, T0, tuning_hygiene=0.4, definitions=1.0, regularisation=0.8))
    assert ratings == {"tuning-hygiene": Rating.Again, "definitions": Rating.Easy, "regularisation": Rating.Good}
    assert deck.due(T0) == []
    assert deck.due(T0 + timedelta(minutes=30)) == ["tuning-hygiene"]  # at the top of the next attempt
    assert deck.cards["tuning-hygiene"].due < deck.cards["regularisation"].due < deck.cards["definitions"].due
    assert deck.cards["regularisation"].due >= T0 + timedelta(days=1)
    assert set(deck.due(T0 + timedelta(days=400))) == {"tuning-hygiene", "definitions", "regularisation"}
    assert deck.record_attempt(attempt(1, T0, tuning_hygiene=0.4)) == {}  # counted once


def test_drills_move_a_card_on(tmp_path):
    deck = ReviewDeck.load(tmp_path / "review.json")
    deck.record_attempt(attempt(1, T0, gray_areas=0.2))
    later = T0 + timedelta(hours=1)
    assert deck.record_drill("gray-areas", 0, 2, later) == Rating.Again
    assert deck.due(later + timedelta(minutes=11)) == ["gray-areas"]
    assert deck.record_drill("gray-areas", 1, 2, later + timedelta(minutes=11)) == Rating.Hard
    assert deck.record_drill("gray-areas", 2, 2, later + timedelta(minutes=40)) == Rating.Good
    assert deck.due(later + timedelta(hours=2)) == []


def test_state_survives_a_round_trip_and_is_written_atomically(tmp_path):
    path = tmp_path / "my-work" / ".exam" / "review.json"
    deck = ReviewDeck.load(path)
    deck.record_attempts([attempt(2, T0 + timedelta(days=1), definitions=0.3),
                          attempt(1, T0, definitions=0.9, tuning_code=0.5)])
    deck.save()
    assert [p.name for p in path.parent.iterdir()] == ["review.json"]  # no temporary file left
    again = ReviewDeck.load(path)
    assert again.attempts_seen == {1, 2} and again.notice == ""
    cards = {c: card.to_dict() for c, card in deck.cards.items()}
    assert {c: card.to_dict() for c, card in again.cards.items()} == cards
    assert again.due(T0 + timedelta(days=1, hours=1)) == deck.due(T0 + timedelta(days=1, hours=1))


@pytest.mark.parametrize("content", ["{not json", json.dumps({"format": 99}), json.dumps({"format": 1, "cards": 3}),
                                     json.dumps({"format": 1, "cards": {"x": {"due": "soon"}}})])
def test_a_corrupt_file_is_kept_aside_with_a_clear_message(tmp_path, content):
    path = tmp_path / "review.json"
    path.write_text(content)
    deck = ReviewDeck.load(path, T0)
    assert deck.cards == {} and "could not be read" in deck.notice
    assert "kept as review.json.corrupt-20260302T090000Z" in deck.notice
    assert (tmp_path / "review.json.corrupt-20260302T090000Z").read_text() == content
    assert not path.exists()
    path.write_text(content)
    assert "corrupt-20260302T090000Z-2" in ReviewDeck.load(path, T0).notice  # never overwrites an earlier one


def test_default_state_is_the_learners_own_in_their_working_copy(tmp_path):
    assert str(default_state("w", learner="jdoe42")) == "w/.exam/review-jdoe42.json"
    assert default_state("w", learner="jdoe42") == default_state("w", cwd=tmp_path, learner="jdoe42")
    module = tmp_path / "my-copy" / "09_mock_exam"
    module.mkdir(parents=True)
    assert default_state(cwd=module, learner="ana") == tmp_path / "my-copy" / ".exam" / "review-ana.json"
    # No learner named: the one schedule there is; several learners sharing the copy must say whose.
    ReviewDeck.load(default_state(cwd=module, learner="ana")).save()
    assert default_state(cwd=module) == tmp_path / "my-copy" / ".exam" / "review-ana.json"
    ReviewDeck.load(default_state(cwd=module, learner="ben")).save()
    with pytest.raises(AmbiguousSchedule, match=r"several learners \(ana, ben\): say whose with LEARNER=<id>"):
        default_state(cwd=module)


@pytest.mark.parametrize("competency", COMPETENCIES)
def test_every_competency_has_a_drill_that_checks_right_and_wrong_answers(competency):
    for seed in range(4):
        drill = make_drill(competency, seed)
        assert drill.competency == competency and 1 <= len(drill.questions) <= 3
        assert make_drill(competency, seed) == drill  # seeded
        right, lines = drill.check([q.answer for q in drill.questions])
        assert right == len(drill.questions) and all(line.startswith("✓") for line in lines)
        wrong = [next(c for c in q.choices if c != q.answer) if q.choices else "-1" for q in drill.questions]
        right, lines = drill.check(wrong)
        assert right == 0 and all(line.startswith("✗") for line in lines)
        for q in drill.questions:
            assert q.choices is None or q.answer in q.choices
    assert set(DRILLS) == set(COMPETENCIES)


def test_answers_are_compared_leniently():
    drill = make_drill("definitions", 0)
    assert drill.check([f" {drill.questions[0].answer} "])[0] == 1
    assert drill.check(["a lot"])[0] == 0 and drill.check([])[0] == 0


def test_drills_never_ask_what_the_exam_asks():
    banned = exam_settings()
    assert ("Ridge", "alpha") in banned and ("DecisionTreeClassifier", "tree_") in banned
    for seed in range(40):
        drill = make_drill("classify-settings", seed)
        for q in drill.questions:
            estimator, setting = q.text.replace("`", "").split(": ")
            assert (estimator, setting) not in banned
        assert len({q.text for q in drill.questions}) == len(drill.questions)
    letters = {make_drill("search-strategies", seed).questions[0].answer for seed in range(20)}
    assert letters == {"A", "B"}


def test_the_widget_runs_a_drill_and_saves_the_schedule(tmp_path):
    path = tmp_path / ".exam" / "review.json"
    deck = ReviewDeck.load(path)
    deck.record_attempt(attempt(1, T0, tuning_hygiene=0.1))
    deck.save()
    clock = [T0 + timedelta(hours=1)]
    box = review_widget(path, now=lambda: clock[0])
    header, _, area, check, feedback = box.children
    assert "Due for review:</b> tuning-hygiene" in header.value
    import ipywidgets as widgets

    controls = [w for w in area.children if isinstance(w, widgets.Text | widgets.RadioButtons)]
    for control, question in zip(controls, box.current.questions):
        control.value = question.answer
    check.click()
    assert "1 of 1 right (Good)" in feedback.value
    assert ReviewDeck.load(path).due(clock[0]) == []


def test_the_command_lists_what_is_due(tmp_path, capsys):
    assert main(["--work", str(tmp_path)]) == 0
    assert "No review scheduled yet" in capsys.readouterr().out
    deck = ReviewDeck.load(default_state(tmp_path, learner="jdoe42"))
    deck.record_attempt(attempt(1, T0, regularisation=0.3, definitions=0.95))
    deck.save()
    main(["--work", str(tmp_path), "--now", (T0 + timedelta(hours=2)).isoformat()])
    out = capsys.readouterr().out
    assert "Due for review: regularisation" in out and "definitions: next review" in out and "make review" in out
    # A second learner in the same working copy: each schedule is its own, and the command asks whose.
    ReviewDeck.load(default_state(tmp_path, learner="ana")).save()
    assert main(["--work", str(tmp_path)]) == 2
    assert "several learners (ana, jdoe42)" in capsys.readouterr().err
    assert main(["--work", str(tmp_path), "--learner", "JDoe42", "--now", (T0 + timedelta(hours=2)).isoformat()]) == 0
    assert "Due for review: regularisation" in capsys.readouterr().out
    assert main(["--work", str(tmp_path), "--learner", "ana"]) == 0
    assert "No review scheduled yet" in capsys.readouterr().out
