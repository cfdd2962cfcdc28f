"""Readiness (coursekit/readiness.py): the posterior, the verdict rules, the page, and item statistics."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from coursekit.readiness import (
    COMPETENCIES,
    PASS_MARK,
    READY,
    REVIEW,
    UNSURE,
    AttemptScore,
    ItemResponse,
    cohort_fragment,
    cohort_table,
    item_statistics,
    mastery,
    overall_verdict,
    readiness,
    readiness_page,
    show_readiness,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def attempts(*rows: dict[str, float]) -> list[AttemptScore]:
    """One AttemptScore per row of shares (out of 10 points per competency), a day apart."""
    return [AttemptScore(n, START + timedelta(days=n), {c: (10 * s, 10.0) for c, s in row.items()})
            for n, row in enumerate(rows, start=1)]


def test_the_interval_narrows_as_agreeing_attempts_come_in():
    widths = [mastery(attempts(*[{"definitions": 0.8}] * n), "definitions") for n in (1, 2, 4, 8)]
    assert all(w.low <= w.mean <= w.high for w in widths)
    spans = [w.high - w.low for w in widths]
    assert spans == sorted(spans, reverse=True) and spans[0] > 1.5 * spans[-1]
    assert mastery([], "definitions").high - mastery([], "definitions").low == pytest.approx(0.9)  # flat prior


def test_recent_attempts_weigh_more():
    improving = mastery(attempts({"tuning-code": 0.2}, {"tuning-code": 0.2}, {"tuning-code": 1.0}), "tuning-code")
    declining = mastery(attempts({"tuning-code": 1.0}, {"tuning-code": 0.2}, {"tuning-code": 0.2}), "tuning-code")
    assert improving.mean > declining.mean + 0.1


def test_verdict_rules():
    one_perfect = mastery(attempts({"regularisation": 1.0}), "regularisation")
    assert one_perfect.verdict == UNSURE  # one paper can be lucky
    assert mastery(attempts(*[{"regularisation": 1.0}] * 2), "regularisation").verdict == READY
    assert mastery(attempts(*[{"regularisation": 0.85}] * 4), "regularisation").verdict == READY
    assert mastery(attempts({"regularisation": 0.5}), "regularisation").verdict == REVIEW
    assert mastery(attempts(*[{"regularisation": 0.4}] * 5), "regularisation").verdict == REVIEW
    thin_margin = mastery(attempts(*[{"regularisation": 0.74}] * 3), "regularisation")
    assert thin_margin.mean > PASS_MARK and thin_margin.verdict == UNSURE


def test_overall_verdict_in_plain_words():
    good = {c: 1.0 for c in COMPETENCIES}
    assert overall_verdict(readiness(attempts(good, good))) == "Ready: every competency is above the pass mark."
    mixed = dict(good, **{"tuning-hygiene": 0.3, "gray-areas": 0.5})
    text = overall_verdict(readiness(attempts(mixed, mixed)))
    assert text == "Review tuning-hygiene and gray-areas first."
    assert overall_verdict(readiness(attempts(good))).startswith("Nearly there: take another attempt")
    assert "mock exam" in overall_verdict([])


def test_attempt_scores_need_an_aware_time_and_skip_untested_competencies():
    with pytest.raises(ValueError, match="timezone-aware"):
        AttemptScore(1, datetime(2026, 1, 1), {})
    score = AttemptScore(1, START, {"definitions": (0.0, 0.0), "regularisation": (3.0, 4.0)})
    assert score.share("definitions") is None and score.share("regularisation") == 0.75
    assert [m.competency for m in readiness([score])] == ["regularisation"]


def test_the_page_has_a_chart_per_competency_the_pass_mark_and_the_verdict():
    scores = attempts({"tuning-hygiene": 0.4, "definitions": 0.9}, {"tuning-hygiene": 0.5, "definitions": 1.0},
                      {"tuning-hygiene": 0.6, "definitions": 1.0})
    page = readiness_page("alice <3", scores)
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 2
    assert "pass mark 70%" in page and "alice &lt;3" in page
    assert "Review tuning-hygiene first." in page and "<polygon" in page  # the credible band
    assert ">attempt</text>" in page and ">share of points</text>" in page
    assert page.index(">definitions<") < page.index(">tuning-hygiene<")  # the course's order
    import xml.etree.ElementTree as ET

    for svg in page.split("<svg")[1:]:
        ET.fromstring("<svg" + svg.split("</svg>")[0] + "</svg>")  # well-formed
    single = readiness_page("bob", attempts({"gray-areas": 0.9}))
    assert single.count("<svg") == 1 and "<rect" in single  # one attempt: the band is a bar
    assert "No scored attempt yet" in readiness_page("carol", [])
    assert "Review tuning-hygiene first." in show_readiness(scores).data


def test_cohort_table_gives_each_learners_verdict():
    good = {c: 1.0 for c in ("definitions", "gray-areas")}
    cohort = {"bea": attempts(good, good), "al": attempts({"definitions": 0.2, "gray-areas": 1.0})}
    rows = cohort_table(cohort)
    assert [r.learner for r in rows] == ["al", "bea"]
    assert not rows[0].ready and rows[0].verdict.startswith("Review definitions")
    assert rows[1].ready
    assert "1 of 2 learners ready" in cohort_fragment(cohort)


def synthetic_responses(n_learners: int = 200, seed: int = 0) -> list[ItemResponse]:
    """Learners of varying ability answer four items: one that follows ability, one at random, one
    that everybody gets right, one that strong learners get wrong more often."""
    rng = np.random.default_rng(seed)
    responses = []
    for learner in range(n_learners):
        ability = rng.uniform(0, 1)
        rows = {
            "good": float(rng.random() < ability),
            "random": float(rng.random() < 0.5),
            "easy": 1.0 if rng.random() < 0.99 else 0.0,
            "backwards": float(rng.random() < 1 - ability),
            **{f"core-{k}": float(rng.random() < ability) for k in range(6)},
        }
        total = sum(rows.values()) / len(rows)
        responses += [ItemResponse(f"l{learner}", 1, item, earned, 1.0, total) for item, earned in rows.items()]
    return responses


def test_item_statistics_find_the_items_to_retire():
    stats = {s.item_id: s for s in item_statistics(synthetic_responses())}
    assert stats["good"].discrimination > 0.4 and stats["good"].flags == ()
    assert abs(stats["random"].discrimination) < 0.2
    assert stats["random"].flags == ("does not separate strong from weak candidates",)
    assert stats["easy"].difficulty > 0.95 and "too easy: almost everyone earns full marks" in stats["easy"].flags
    assert stats["backwards"].discrimination < 0 and "check the item" in stats["backwards"].flags[0]
    assert 0.35 < stats["good"].difficulty < 0.65 and stats["good"].responses == 200


def test_item_statistics_correct_for_the_item_itself():
    # Two items, both pure noise: uncorrected, each would correlate with a total that contains it.
    rng = np.random.default_rng(1)
    responses = []
    for learner in range(300):
        a, b = float(rng.random() < 0.5), float(rng.random() < 0.5)
        responses += [ItemResponse(str(learner), 1, "a", a, 1, (a + b) / 2),
                      ItemResponse(str(learner), 1, "b", b, 1, (a + b) / 2)]
    stats = item_statistics(responses)
    assert all(abs(s.discrimination) < 0.2 for s in stats)


def test_item_statistics_with_few_or_uniform_responses_say_so():
    few = item_statistics([ItemResponse("x", 1, "a", 1, 1, 0.5), ItemResponse("y", 1, "a", 0, 1, 0.4)])
    assert few[0].flags == ("only 2 responses: too few to judge",)
    same = item_statistics([ItemResponse(str(i), 1, "a", 1, 2, i / 20) for i in range(20)])
    assert np.isnan(same[0].discrimination) and "everyone scored the same" in " ".join(same[0].flags)
    assert "<th>discrimination</th>" in cohort_fragment({}, synthetic_responses(30))
