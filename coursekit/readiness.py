"""Readiness for the certification: per competency, how sure we are that a learner is above the pass mark.

Pure building blocks (issue 17, part 3): they take typed scores, never a file format, so the attempt log
can feed them whatever way it stores attempts.

The model, per competency tag of the course (``COMPETENCIES``):

- Each scored attempt gives the share of the competency's points the learner earned. The share is
  read as ``EVIDENCE_PER_ATTEMPT`` yes/no checks of which that share succeeded: the points of a
  competency are on arbitrary scales (twenty labels in one item, three checks of a tuning task in
  another), so evidence is counted in attempts, not in points.
- Recent attempts count more: an attempt ``HALF_LIFE`` attempts older than the latest weighs half as
  much (exponential decay). Learning is the point of practice, so the estimate follows the learner's
  current level, and old evidence never becomes certainty (the weights sum to at most about 4.8
  attempts).
- With a flat prior Beta(1, 1) (no opinion before the first attempt), the posterior over the learner's
  share of points is Beta(1 + successes, 1 + failures); the page shows its mean and its 90 % credible
  interval (5 % and 95 % quantiles). One attempt leaves the interval wide; agreeing attempts narrow it.
- Verdict (``verdict``): **ready** when there are at least ``MIN_ATTEMPTS`` attempts and the posterior
  probability that the share is at or above ``PASS_MARK`` is at least ``READY_PROBABILITY``;
  **review** when the posterior mean is below the pass mark; otherwise **not enough evidence yet**
  (the learner is probably above the mark, but another attempt should confirm it). One attempt is
  never enough for "ready": one paper can be lucky.

The cohort side (``cohort_table``, ``item_statistics``) is for the instructor: per-learner verdicts,
and per item of the bank its difficulty and discrimination, with a plain reason to look at an item.
None of this holds an answer: only scores.

Plots are inline SVG written as text (like the instructor report, ``autograder/report.py``): a page
costs milliseconds, stays sharp at any zoom, and needs no matplotlib.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.stats import beta

from coursekit.svg import BLUE, GREEN, GRID, INK, ORANGE, SKY, VERMILLION, esc, line, svg, text

COMPETENCIES = (
    "definitions", "classify-settings", "regularisation", "tuning-code", "tuning-hygiene", "search-strategies",
    "gray-areas",
)
PASS_MARK = 0.7               # the share of a competency's points the certification asks for
EVIDENCE_PER_ATTEMPT = 6      # yes/no checks one attempt is worth, per competency
HALF_LIFE = 3.0               # attempts: an attempt this much older than the latest weighs half
PRIOR = (1.0, 1.0)            # Beta(1, 1): flat, no opinion before the first attempt
CREDIBLE = 0.90               # the interval shown: from the 5 % to the 95 % quantile
READY_PROBABILITY = 0.8       # P(share >= PASS_MARK) needed for "ready"
MIN_ATTEMPTS = 2              # ... and at least this many attempts with the competency

READY, REVIEW, UNSURE = "ready", "review", "not enough evidence yet"

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
VERDICT_COLOUR = {READY: GREEN, REVIEW: VERMILLION, UNSURE: ORANGE}


@dataclass(frozen=True)
class AttemptScore:
    """One scored attempt of the mock exam: its number, when it was finished (timezone-aware) and,
    per competency tag, (points earned, points possible)."""

    attempt: int
    finished_at: datetime
    competencies: Mapping[str, tuple[float, float]]

    def __post_init__(self) -> None:
        if self.finished_at.tzinfo is None or self.finished_at.utcoffset() is None:
            raise ValueError("finished_at must be timezone-aware (e.g. datetime.now(timezone.utc))")

    def share(self, competency: str) -> float | None:
        """The share of the competency's points earned, or None if the attempt did not test it."""
        earned, possible = self.competencies.get(competency, (0.0, 0.0))
        if not possible or possible <= 0:
            return None
        return min(max(earned / possible, 0.0), 1.0)


@dataclass(frozen=True)
class Mastery:
    """The posterior over a learner's share of points in one competency."""

    competency: str
    attempts: int              # attempts that tested it
    a: float                   # Beta(a, b)
    b: float
    mean: float
    low: float                 # the credible interval
    high: float
    p_pass: float              # posterior probability that the share is >= PASS_MARK
    verdict: str


def posterior(shares: Sequence[tuple[int, float]]) -> tuple[float, float]:
    """Beta(a, b) after the given (attempt number, share) pairs, the latest attempt weighing 1."""
    a, b = PRIOR
    if not shares:
        return a, b
    latest = max(n for n, _ in shares)
    for n, share in shares:
        weight = 0.5 ** ((latest - n) / HALF_LIFE) * EVIDENCE_PER_ATTEMPT
        a += weight * share
        b += weight * (1 - share)
    return a, b


def verdict(attempts: int, mean: float, p_pass: float, pass_mark: float = PASS_MARK) -> str:
    """The documented rule (module docstring)."""
    if attempts >= MIN_ATTEMPTS and p_pass >= READY_PROBABILITY:
        return READY
    if attempts and mean < pass_mark:
        return REVIEW
    return UNSURE


def mastery(scores: Sequence[AttemptScore], competency: str, pass_mark: float = PASS_MARK) -> Mastery:
    """The posterior over one competency from all the learner's scored attempts."""
    shares = [(s.attempt, s.share(competency)) for s in scores]
    shares = [(n, x) for n, x in shares if x is not None]
    a, b = posterior(shares)
    tail = (1 - CREDIBLE) / 2
    low, high = (float(q) for q in beta.ppf([tail, 1 - tail], a, b))
    mean = a / (a + b)
    p_pass = float(beta.sf(pass_mark, a, b))
    decided = verdict(len(shares), mean, p_pass, pass_mark)
    return Mastery(competency, len(shares), a, b, mean, low, high, p_pass, decided)


def competencies_of(scores: Sequence[AttemptScore]) -> list[str]:
    """The competencies the attempts tested, in the course's order (unknown tags last, sorted)."""
    seen = {tag for s in scores for tag, (_, possible) in s.competencies.items() if possible}
    return [c for c in COMPETENCIES if c in seen] + sorted(seen - set(COMPETENCIES))


def readiness(scores: Sequence[AttemptScore], pass_mark: float = PASS_MARK) -> list[Mastery]:
    """Mastery of every competency the attempts tested."""
    return [mastery(scores, c, pass_mark) for c in competencies_of(scores)]


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def overall_verdict(masteries: Sequence[Mastery]) -> str:
    """One plain sentence for the learner."""
    if not masteries:
        return "No scored attempt yet: take the mock exam (module 09) first."
    review = [m.competency for m in masteries if m.verdict == REVIEW]
    unsure = [m.competency for m in masteries if m.verdict == UNSURE]
    if not review and not unsure:
        return "Ready: every competency is above the pass mark."
    if review:
        text = f"Review {_and(review)} first."
        if unsure:
            text += f" Then take another attempt to confirm {_and(unsure)}."
        return text
    return f"Nearly there: take another attempt to confirm {_and(unsure)}."


# ------------------------------------------------------------------------------------- the page
PLOT_SIZE = (340, 210)
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 28, 40


def competency_svg(scores: Sequence[AttemptScore], competency: str, pass_mark: float = PASS_MARK) -> str:
    """Score over attempts for one competency: the learner's share of points at each attempt (dots),
    the estimate after each attempt (line) with its 90 % credible band, and the pass mark (dashed)."""
    width, height = PLOT_SIZE
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    bottom = TOP + plot_h
    points = sorted((s.attempt, s.share(competency)) for s in scores if s.share(competency) is not None)
    attempts = [n for n, _ in points]
    first, last = (min(attempts), max(attempts)) if attempts else (1, 1)
    span = max(last - first, 1)

    def x(n: float) -> float:
        return LEFT + (n - first + 0.5) / (span + 1) * plot_w

    def y(share: float) -> float:
        return bottom - share * plot_h

    body = [text(width / 2, 17, competency, extra=' font-size="13" font-weight="bold"')]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        body += [line(LEFT, y(tick), LEFT + plot_w, y(tick), GRID), text(LEFT - 5, y(tick) + 4, f"{tick:.0%}", "end")]
    # After each attempt: the estimate from that attempt and the earlier ones.
    tail = (1 - CREDIBLE) / 2
    estimates = []
    for k, n in enumerate(attempts):
        a, b = posterior(points[: k + 1])
        low, high = beta.ppf([tail, 1 - tail], a, b)
        estimates.append((n, a / (a + b), float(low), float(high)))
    if estimates:
        upper = " ".join(f"{x(n):.1f},{y(h):.1f}" for n, _, _, h in estimates)
        lower = " ".join(f"{x(n):.1f},{y(lo):.1f}" for n, _, lo, _ in reversed(estimates))
        if len(estimates) == 1:  # a band needs a width: a short bar at the single attempt
            n, _, lo, h = estimates[0]
            body.append(f'<rect x="{x(n) - 8:.1f}" y="{y(h):.1f}" width="16" height="{y(lo) - y(h):.1f}" '
                        f'fill="{SKY}" fill-opacity="0.45"><title>90 % credible interval: {lo:.0%} to {h:.0%}'
                        "</title></rect>")
        else:
            body.append(f'<polygon points="{upper} {lower}" fill="{SKY}" fill-opacity="0.45">'
                        "<title>90 % credible interval of the estimate</title></polygon>")
        body.append(f'<polyline points="{" ".join(f"{x(n):.1f},{y(m):.1f}" for n, m, _, _ in estimates)}" '
                    f'fill="none" stroke="{BLUE}" stroke-width="2"/>')
    body.append(line(LEFT, y(pass_mark), LEFT + plot_w, y(pass_mark), VERMILLION, ' stroke-dasharray="5 3" '
                      'stroke-width="1.5"'))
    body.append(text(LEFT + plot_w - 2, y(pass_mark) - 4, f"pass mark {pass_mark:.0%}", "end",
                      f' fill="{VERMILLION}" font-size="10"'))
    for n, share in points:
        body.append(f'<circle cx="{x(n):.1f}" cy="{y(share):.1f}" r="4" fill="{INK}"><title>attempt {n}: '
                    f"{share:.0%} of the points</title></circle>")
    body += [line(LEFT, bottom, LEFT + plot_w, bottom), line(LEFT, TOP, LEFT, bottom)]
    for n in range(first, last + 1):
        if span <= 10 or (n - first) % math.ceil(span / 10) == 0:
            body += [line(x(n), bottom, x(n), bottom + 4), text(x(n), bottom + 15, str(n))]
    body += [text(LEFT + plot_w / 2, height - 6, "attempt"),
             text(0, 0, "share of points", extra=f' transform="translate(12 {TOP + plot_h / 2:.1f}) rotate(-90)"')]
    if not points:
        body.append(text(LEFT + plot_w / 2, TOP + plot_h / 2, "not tested yet", extra=' font-style="italic"'))
    label = (f"{competency}: share of points over {len(points)} attempts"
             + (f", latest {points[-1][1]:.0%}" if points else "") + f"; pass mark {pass_mark:.0%}")
    return svg(width, height, label, body)


STYLE = ("<style>.readiness{font-family:sans-serif;max-width:1100px}.readiness table{border-collapse:collapse}"
         ".readiness td,.readiness th{border:1px solid #ccc;padding:3px 8px}"
         ".readiness .charts{display:flex;flex-wrap:wrap;gap:10px}</style>")


def _verdict_cell(text: str) -> str:
    return f"<td style='color:{VERDICT_COLOUR.get(text, INK)};font-weight:bold'>{esc(text)}</td>"


def readiness_fragment(learner: str, scores: Sequence[AttemptScore], pass_mark: float = PASS_MARK) -> str:
    """The readiness section (no <html> wrapper): for the notebook and for the page."""
    masteries = readiness(scores, pass_mark)
    latest = max(scores, key=lambda s: s.attempt) if scores else None
    when = f", latest attempt {latest.attempt} finished {latest.finished_at:%Y-%m-%d %H:%M %Z}" if latest else ""
    parts = [f"<div class='readiness'>{STYLE}<h2>Readiness{': ' + esc(learner) if learner else ''}</h2>",
             f"<p style='font-size:1.2em'><b>{esc(overall_verdict(masteries))}</b></p>",
             f"<p>{len(scores)} scored attempt{'s' if len(scores) != 1 else ''}{esc(when)}. Pass mark: "
             f"{pass_mark:.0%} of the points of each competency.</p>"]
    if masteries:
        parts.append("<table><tr><th>competency</th><th>attempts</th><th>estimate</th><th>90 % credible interval"
                     "</th><th>chance of being at or above the pass mark</th><th>verdict</th></tr>")
        parts += [f"<tr><td>{esc(m.competency)}</td><td>{m.attempts}</td><td>{m.mean:.0%}</td>"
                  f"<td>{m.low:.0%} to {m.high:.0%}</td><td>{m.p_pass:.0%}</td>{_verdict_cell(m.verdict)}</tr>"
                  for m in masteries]
        parts.append("</table><div class='charts'>")
        parts += [competency_svg(scores, m.competency, pass_mark) for m in masteries]
        parts.append("</div>")
    parts.append(
        "<p><small>How to read this: dots are your share of the points at each attempt; the blue line is the "
        f"estimate of your level after each attempt, the light band its 90 % credible interval (wide after few "
        f"attempts, narrower as attempts agree; recent attempts count more: one {HALF_LIFE:g} attempts older "
        f"weighs half). <b>ready</b>: at least {MIN_ATTEMPTS} attempts and a {READY_PROBABILITY:.0%} chance or "
        "more of being at or above the pass mark; <b>review</b>: the estimate is below the pass mark; <b>not "
        "enough evidence yet</b>: probably above it, but another attempt should confirm.</small></p></div>")
    return "".join(parts)


def readiness_page(learner: str, scores: Sequence[AttemptScore], pass_mark: float = PASS_MARK) -> str:
    """A self-contained HTML page: the overall verdict, a table (estimate, interval, verdict) and, per
    competency, a plot of the score over attempts with the pass mark and the credible band."""
    title = f"Readiness{': ' + learner if learner else ''}"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{esc(title)}</title></head><body>"
            + readiness_fragment(learner, scores, pass_mark) + "</body></html>")


def show_readiness(scores: Sequence[AttemptScore], learner: str = "", pass_mark: float = PASS_MARK):
    """The readiness section, displayed in the notebook (returns an ``IPython.display.HTML``)."""
    from IPython.display import HTML

    return HTML(readiness_fragment(learner, scores, pass_mark))


# ------------------------------------------------------------------------------------- the cohort
@dataclass(frozen=True)
class LearnerReadiness:
    learner: str
    attempts: int
    verdict: str                    # the overall sentence
    masteries: tuple[Mastery, ...]

    @property
    def ready(self) -> bool:
        return bool(self.masteries) and all(m.verdict == READY for m in self.masteries)


def cohort_table(cohort: Mapping[str, Sequence[AttemptScore]], pass_mark: float = PASS_MARK) -> list[LearnerReadiness]:
    """Every learner's readiness, sorted by learner id."""
    rows = []
    for learner in sorted(cohort):
        masteries = tuple(readiness(cohort[learner], pass_mark))
        rows.append(LearnerReadiness(learner, len(cohort[learner]), overall_verdict(masteries), masteries))
    return rows


@dataclass(frozen=True)
class ItemResponse:
    """One learner's result on one item of one graded attempt; ``total_share`` is the share of the
    points of the whole attempt."""

    learner: str
    attempt: int
    item_id: str
    earned: float
    possible: float
    total_share: float


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    responses: int
    difficulty: float           # mean share of the item's points (high = easy)
    discrimination: float       # item share vs the rest of the attempt (NaN when it cannot be computed)
    flags: tuple[str, ...]      # plain reasons to look at the item; empty: nothing to see


MIN_RESPONSES = 10              # fewer responses than this: statistics too noisy to retire an item on
MIN_DISCRIMINATION = 0.2
EASIEST, HARDEST = 0.95, 0.2    # difficulty outside [HARDEST, EASIEST] is flagged


def item_statistics(responses: Sequence[ItemResponse]) -> list[ItemStats]:
    """Per item: difficulty (mean share of its points) and discrimination (the corrected item-total
    correlation: Pearson's r between the share of the item's points and the share of the points of the
    *other* items of the same attempt, so the item does not correlate with itself). The rest of an
    attempt is taken from the other responses of the same learner and attempt; when an attempt has no
    other response, ``total_share`` stands in (uncorrected)."""
    by_attempt: dict[tuple[str, int], list[ItemResponse]] = defaultdict(list)
    for r in responses:
        by_attempt[(r.learner, r.attempt)].append(r)
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for group in by_attempt.values():
        earned = sum(r.earned for r in group)
        possible = sum(r.possible for r in group)
        for r in group:
            if r.possible <= 0:
                continue
            rest_possible = possible - r.possible
            rest = (earned - r.earned) / rest_possible if rest_possible > 0 else r.total_share
            pairs[r.item_id].append((r.earned / r.possible, rest))
    stats = []
    for item_id in sorted(pairs):
        item, rest = (np.array(v, dtype=float) for v in zip(*pairs[item_id]))
        difficulty = float(item.mean())
        with np.errstate(invalid="ignore", divide="ignore"):
            r = float(np.corrcoef(item, rest)[0, 1]) if len(item) > 1 and item.std() and rest.std() else math.nan
        stats.append(ItemStats(item_id, len(item), difficulty, r, _flags(len(item), difficulty, r)))
    return stats


def _flags(n: int, difficulty: float, discrimination: float) -> tuple[str, ...]:
    if n < MIN_RESPONSES:
        return (f"only {n} responses: too few to judge",)
    flags = []
    if difficulty > EASIEST:
        flags.append("too easy: almost everyone earns full marks")
    elif difficulty < HARDEST:
        flags.append("too hard: almost nobody earns the points (check the item and its key)")
    if math.isnan(discrimination):
        flags.append("cannot tell whether it separates strong from weak candidates: everyone scored the same")
    elif discrimination <= -MIN_DISCRIMINATION:  # clearly backwards, not just noise around 0
        flags.append("strong candidates do worse on it than weak ones: check the item and its key")
    elif discrimination < MIN_DISCRIMINATION:
        flags.append("does not separate strong from weak candidates")
    return tuple(flags)


def cohort_fragment(cohort: Mapping[str, Sequence[AttemptScore]], responses: Sequence[ItemResponse] = (),
                    pass_mark: float = PASS_MARK) -> str:
    """For the instructor: the verdict of every learner, and the item statistics."""
    rows = cohort_table(cohort, pass_mark)
    tags = [c for c in COMPETENCIES if any(m.competency == c for r in rows for m in r.masteries)]
    ready = sum(r.ready for r in rows)
    parts = [f"<div class='readiness'>{STYLE}<h2>Cohort readiness</h2><p>{ready} of {len(rows)} learners ready "
             f"(pass mark {pass_mark:.0%} per competency).</p><table><tr><th>learner</th><th>attempts</th>"
             + "".join(f"<th>{esc(t)}</th>" for t in tags) + "<th>verdict</th></tr>"]
    for r in rows:
        by_tag = {m.competency: m for m in r.masteries}
        cells = "".join(
            f"<td title='{by_tag[t].low:.0%} to {by_tag[t].high:.0%}' style='color:"
            f"{VERDICT_COLOUR[by_tag[t].verdict]}'>{by_tag[t].mean:.0%} ({esc(by_tag[t].verdict)})</td>"
            if t in by_tag else "<td></td>" for t in tags)
        parts.append(f"<tr><td>{esc(r.learner)}</td><td>{r.attempts}</td>{cells}<td>{esc(r.verdict)}</td></tr>")
    parts.append("</table>")
    if responses:
        parts.append("<h2>Items</h2><p>Difficulty: the mean share of an item's points (high = easy). Discrimination: "
                     "the correlation between the item and the rest of the attempt (0.2 or more separates strong "
                     "from weak candidates).</p><table><tr><th>item</th><th>responses</th><th>difficulty</th>"
                     "<th>discrimination</th><th>look at it because</th></tr>")
        for s in item_statistics(responses):
            disc = "n/a" if math.isnan(s.discrimination) else f"{s.discrimination:.2f}"
            parts.append(f"<tr><td>{esc(s.item_id)}</td><td>{s.responses}</td><td>{s.difficulty:.2f}</td>"
                         f"<td>{disc}</td><td>{esc('; '.join(s.flags))}</td></tr>")
        parts.append("</table>")
    parts.append("</div>")
    return "".join(parts)
