"""The instructor report of a cohort grading run: one self-contained HTML page with inline SVG charts.

The charts are written as SVG text by hand, not drawn with matplotlib: ten matplotlib figures cost
seconds on every run, the SVG text costs milliseconds, stays sharp at any zoom, and every bar shows
its exact value on hover (an SVG ``<title>``).
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy

from autograder.exam_stats import ExamFacts
from autograder.lms import LmsExport
from autograder.results import Override, Result
from coursekit.svg import BLUE, GREEN, GRID, VERMILLION, bar, esc, line, svg, text

PASS = 1.0  # a graded cell is passed when it earns full marks
TOP, BOTTOM = 28, 46  # px above a plot for its title, below it for tick labels and the axis label
HISTOGRAM_SIZE = (330, 240)
BAR_CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH = 370, 160, 40  # 330 + 2 * 370 + gaps fit the 1100 px page
ROW = 18  # px per horizontal bar: a bar chart grows with its number of bars
LABEL_CHARS = 24  # about what LABEL_WIDTH holds; longer names are cut in the middle (full name on hover)
SHARE_TICKS = (0, 0.25, 0.5, 0.75, 1)


@dataclasses.dataclass
class RunFacts:
    """What the report says about the run itself."""

    graded_now: int            # submissions graded in this run (the rest were kept from earlier runs)
    workers: int               # distinct workers that graded them
    scheduler: str             # "local cluster" or the scheduler's address
    dashboard: str             # the Dask dashboard's address while the run lasted
    sandbox: bool

    def describe(self) -> str:
        where = f"on {self.scheduler}" + (f" (Dask dashboard while it ran: {self.dashboard})" if self.dashboard else "")
        sandbox = "learner code sandboxed" if self.sandbox else "learner code NOT sandboxed"
        return (f"This run graded {_plural(self.graded_now, 'submission')} with {_plural(self.workers, 'worker')} "
                f"{where}; {sandbox}.")


@dataclasses.dataclass
class SimilarityFacts:
    """What the report says about the answers compared between learners (similarity.html)."""

    page: Path
    flagged: dict[str, int]    # assignment -> pairs of answers flagged
    answers: int               # answers compared
    threshold: float


def _num(value: float) -> str:
    return f"{round(value, 2):g}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _ticks(top: float, most: int = 7, integer: bool = False) -> list[float]:
    """Round tick values 0, s, 2s, ... <= top, where s is 1, 2 or 5 times a power of ten."""
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(1, round(step))
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def _histogram_svg(scores: list[float], maximum: float) -> str:
    width, height = HISTOGRAM_SIZE
    left, right = 44, 14
    plot_w, plot_h = width - left - right, height - TOP - BOTTOM
    bottom = TOP + plot_h
    bins = min(20, max(5, int(maximum) + 1))
    counts, edges = (a.tolist() for a in numpy.histogram(scores, bins, range=(0, maximum)))
    y_ticks = _ticks(max(counts) or 1, most=5, integer=True)
    if y_ticks[-1] < max(counts):
        y_ticks.append(y_ticks[-1] + (y_ticks[1] - y_ticks[0]))
    y_top = y_ticks[-1]

    def x(score: float) -> float:
        return left + score / maximum * plot_w

    def y(count: float) -> float:
        return bottom - count / y_top * plot_h

    body = [text(width / 2, 17, "score distribution", extra=' font-size="13"')]
    for tick in y_ticks:
        body += [line(left, y(tick), left + plot_w, y(tick), GRID), text(left - 5, y(tick) + 4, f"{tick:g}", "end")]
    for lo, hi, count, last in zip(edges, edges[1:], counts, [False] * (bins - 1) + [True]):
        if count:  # an empty bin has nothing to hover; its neighbours' ranges show it is empty
            span = f"{_num(lo)} ≤ score {'≤' if last else '<'} {_num(hi)} points"
            body.append(bar(x(lo) + 0.5, y(count), x(hi) - x(lo) - 1, bottom - y(count), BLUE,
                             f"{span}: {_plural(count, 'learner')}"))
    body += [line(left, bottom, left + plot_w, bottom), line(left, TOP, left, bottom)]
    for tick in _ticks(maximum):
        body += [line(x(tick), bottom, x(tick), bottom + 4), text(x(tick), bottom + 16, f"{tick:g}")]
    body += [text(left + plot_w / 2, height - 8, f"score (points out of {maximum:g})"),
             text(0, 0, "learners", extra=f' transform="translate(13 {TOP + plot_h / 2:.1f}) rotate(-90)"')]
    shown = [s for s in scores if 0 <= s <= maximum]
    summary = (f"Histogram of the scores of {_plural(len(shown), 'learner')} out of {maximum:g} points"
               + (f", from {min(shown):g} to {max(shown):g}" if shown else ""))
    return svg(width, height, summary, body)


def _hbar_svg(title: str, xlabel: str, bars: list[tuple[str, float, str]], colour: str, empty: str) -> str:
    """Horizontal bars of shares in [0, 1], one per (label, share, tooltip), top to bottom in the given order."""
    plot_w = BAR_CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    plot_h = ROW * max(len(bars), 2)
    bottom, height = TOP + plot_h, TOP + plot_h + BOTTOM

    def x(share: float) -> float:
        return LABEL_WIDTH + min(max(share, 0), 1) * plot_w

    body = [text(BAR_CHART_WIDTH / 2, 17, title, extra=' font-size="13"')]
    for tick in SHARE_TICKS:
        body += [line(x(tick), TOP, x(tick), bottom, GRID), text(x(tick), bottom + 16, f"{tick:g}")]
    if not bars:
        body.append(text(x(0.5), TOP + plot_h / 2 + 4, empty, extra=' font-style="italic"'))
    for row, (label, share, tooltip) in enumerate(bars):
        top = TOP + row * ROW
        head, tail = LABEL_CHARS // 2, LABEL_CHARS - LABEL_CHARS // 2 - 1  # keep both ends: ids differ at the end
        short = label if len(label) <= LABEL_CHARS else label[:head] + "…" + label[-tail:]
        hover = f"<title>{esc(label)}</title>" if short != label else ""
        body += [f'<text x="{LABEL_WIDTH - 6}" y="{top + 13:.1f}" text-anchor="end">{hover}{esc(short)}</text>',
                 bar(LABEL_WIDTH, top + 3, x(share) - LABEL_WIDTH, ROW - 5, colour, tooltip),
                 text(x(share) + 4, top + 13, f"{100 * share:.0f} %", "start", ' font-size="10"')]
    body += [line(LABEL_WIDTH, bottom, LABEL_WIDTH + plot_w, bottom), line(LABEL_WIDTH, TOP, LABEL_WIDTH, bottom),
             text(LABEL_WIDTH + plot_w / 2, height - 8, xlabel)]
    summary = f"{title}: {empty}"
    if bars:
        low, high = min(bars, key=lambda b: b[1]), max(bars, key=lambda b: b[1])
        summary = (f"{title}, {len(bars)} in all: lowest {low[0]} {100 * low[1]:.0f} %, "
                   f"highest {high[0]} {100 * high[1]:.0f} %")
    return svg(BAR_CHART_WIDTH, height, summary, body)


def _lms_section(exports: Sequence[LmsExport], out: Path) -> list[str]:
    parts = []
    for export in exports:
        name = export.path.relative_to(out) if export.path.is_relative_to(out) else export.path
        parts.append(f"<h2>Grades for the LMS: {esc(name)}</h2><p>{_plural(export.filled, 'grade')} written. "
                     "Import it as it is (Canvas: Grades &gt; Import; Moodle: Grades &gt; Import &gt; CSV file).</p>")
        if export.unmatched:
            parts.append("<p><b>These submissions match nobody in the roster and are not in the file</b> (check "
                         "the learner id, or add the learner in the LMS):</p><ul>" + "".join(
                             f"<li>{esc(r.learner)} ({esc(r.assignment)})</li>" for r in export.unmatched)
                         + "</ul>")
        if export.other_attempts:
            parts.append("<p>Mock exam attempts: the LMS has one cell per learner, so each learner's best attempt "
                         "(best final score; on a tie the later one) is written under their own id. Not written:</p>"
                         "<ul>" + "".join(f"<li>{esc(r.learner)} ({esc(r.assignment)}): {r.final_score:g} of "
                                          f"{r.max_score:g}</li>" for r in export.other_attempts) + "</ul>")
        if export.no_column:
            parts.append(f"<p><b>No column in the roster for</b> {esc(', '.join(export.no_column))}: create the "
                         "assignment in the LMS under that name, export the roster again and rerun.</p>")
        if export.no_submission:
            missing = sorted({learner for learner, _ in export.no_submission})
            parts.append(f"<p>{_plural(len(missing), 'learner')} in the roster without a submission of some "
                         f"assignment of this run: {esc(', '.join(missing[:50]))}"
                         f"{' …' if len(missing) > 50 else ''}</p>")
    return parts


def _similarity_section(similar: SimilarityFacts | None, out: Path) -> list[str]:
    if similar is None:
        return []
    name = similar.page.relative_to(out) if similar.page.is_relative_to(out) else similar.page
    link = f"<a href='{esc(name)}'>{esc(name)}</a>"
    if not similar.flagged:
        return [f"<h2>Similar answers</h2><p>{similar.answers} answers compared between learners: no pair "
                f"flagged at {100 * similar.threshold:.0f} % or more ({link}).</p>"]
    return [f"<h2>Similar answers</h2><p>{_plural(sum(similar.flagged.values()), 'pair')} of answers flagged at "
            f"{100 * similar.threshold:.0f} % or more, out of {similar.answers} answers compared: "
            + ", ".join(f"{esc(a)}: {n}" for a, n in sorted(similar.flagged.items()))
            + f". Both answers of each pair, side by side, with what they share marked: {link}. A flag is for "
            "you to look at before signing a certificate; it changes no grade.</p>"]


def _overrides_section(results: list[Result], superseded: Sequence[Override]) -> list[str]:
    applied = [(r, o) for r in results for o in r.overrides]
    if not applied and not superseded:
        return []
    rows = "".join(
        f"<tr><td>{esc(r.learner)}</td><td>{esc(r.assignment)}</td><td>{esc(o.cell)}</td>"
        f"<td>{_num(o.graded or 0)} → {_num(o.points)}</td><td>{esc(o.reason)}</td><td>{esc(o.date)}</td>"
        f"<td>{o.line or ''}</td></tr>" for r, o in applied)
    parts = ["<h2>Instructor overrides</h2><p>Points set by hand (OUT/overrides.csv), applied on every rebuild, "
             "shown to each learner on their feedback page and written to the gradebook as manual scores.</p>"
             "<table><tr><th>learner</th><th>assignment</th><th>cell</th><th>points (autograder → set)</th>"
             f"<th>reason</th><th>date</th><th>line</th></tr>{rows}</table>"]
    if superseded:
        parts.append("<p>Superseded by a later row for the same cell: " + "; ".join(
            f"line {o.line}: {esc(o.learner)} {esc(o.assignment)} {esc(o.cell)} = {_num(o.points)} "
            f"({esc(o.reason)})" for o in superseded) + "</p>")
    return parts


def _late_section(results: list[Result]) -> list[str]:
    """Every submission the late policy applies to: its time, where the time came from, the due
    date after any extension, and what it cost."""
    timed = [r for r in results if r.late and (r.late.due or r.late.flagged)]
    if not timed:
        return []
    flagged = [r for r in timed if r.late.flagged]
    late = [r for r in timed if r.penalty or r.late.zeroed]
    sources = Counter(r.late.source or "none" for r in timed)
    parts = [f"<h2>Deadlines</h2><p>{_plural(len(late), 'submission')} penalised for lateness, "
             f"{_plural(len(flagged), 'submission')} flagged with no usable submission time (no penalty applied: "
             "decide with an override). Submission times from: "
             + ", ".join(f"{esc(k)}: {v}" for k, v in sorted(sources.items())) + ".</p>"
             "<table><tr><th>learner</th><th>assignment</th><th>submitted (UTC)</th><th>time from</th>"
             "<th>due</th><th>extension</th><th>late by</th><th>penalty</th><th>final score</th><th>flag</th></tr>"]
    for r in timed:
        t = r.late
        submitted = t.submitted_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M") if t.submitted_at else ""
        due = t.due.strftime("%Y-%m-%d %H:%M %Z") if t.due else ""
        late_by = _duration(t.late_by) if t.late_by else ""
        parts.append(
            f"<tr><td>{esc(r.learner)}</td><td>{esc(r.assignment)}</td><td>{submitted}</td><td>{esc(t.source)}</td>"
            f"<td>{esc(due)}</td><td>{esc(t.extension)}</td><td>{late_by}</td>"
            f"<td>{'all (past the cutoff)' if t.zeroed else _num(r.penalty)}</td>"
            f"<td>{_num(r.final_score)} / {r.max_score:g}</td><td>{esc(t.flagged)}</td></tr>")
    parts.append("</table>")
    return parts


def _duration(delta: datetime.timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return " ".join(f"{v} {u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "min")) if v) or "0 min"


def write_report(results: list[Result], out: Path, run: RunFacts | None = None,
                 exports: Sequence[LmsExport] = (), similar: SimilarityFacts | None = None,
                 superseded: Sequence[Override] = (), exam: ExamFacts | None = None) -> Path:
    """``out/report.html``: per assignment, the score distribution, the pass rate of every graded
    cell and the average per competency, every submission that needs a look, the LMS files
    written (with every grade that is not in them), the instructor's overrides with their reasons
    and the late policy's verdicts with where each submission time came from."""
    by_assignment: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_assignment[r.assignment].append(r)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grading report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px}"
        ".charts{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}</style></head><body>",
        f"<h1>Grading report</h1><p>{len(results)} submissions, "
        f"{len({r.learner for r in results})} learners. Status: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(Counter(r.status for r in results).items())) + "</p>",
    ]
    if run is not None:
        parts.append(f"<p>{esc(run.describe())}</p>")
    problems = [r for r in results if r.status != "graded" or r.note]
    if problems:
        parts.append("<h2>Submissions that need a look</h2><table><tr><th>learner</th><th>assignment</th>"
                     "<th>status</th><th>reason</th></tr>")
        for r in problems:
            parts.append(f"<tr><td>{html.escape(r.learner)}</td><td>{html.escape(r.assignment)}</td>"
                         f"<td>{html.escape(r.status)}</td><td>{html.escape((r.reason + ' ' + r.note).strip())}"
                         "</td></tr>")
        parts.append("</table>")
    parts += _lms_section(exports, out)
    parts += _overrides_section(results, superseded)
    parts += _late_section(results)
    parts += _similarity_section(similar, out)
    if exam is not None:
        parts.append(f"<h2>Mock exam ({esc(exam.assignment)}): readiness and items</h2><p>From "
                     f"{_plural(exam.attempts, 'graded attempt')}. A learner is ready when every competency is "
                     "above the pass mark with enough evidence; an item flagged below is one to check, fix or "
                     "retire from the bank. Each learner's page, with a chart per competency over their attempts: "
                     "<code>feedback/&lt;learner&gt;/readiness.html</code>.</p>" + exam.fragment)
    for assignment, rows in sorted(by_assignment.items()):
        parts.append(f"<h2>{html.escape(assignment)}</h2>")
        scored = [r for r in rows if r.status != "invalid"]
        if not scored:
            parts.append("<p>No gradable submission.</p>")
            continue
        maximum = max(r.max_score for r in scored) or 1
        mean = sum(r.score for r in scored) / len(scored)
        parts.append(f"<p>{len(scored)} graded, mean {mean:.2f} / {maximum:g}</p>")
        n = len(scored)
        cell_bars = []
        for c in sorted({c for r in scored for c in r.cells}):
            passed = sum(1 for r in scored if c in r.cells and r.cells[c][1]
                         and (r.cells[c][0] or 0) >= PASS * r.cells[c][1])
            cell_bars.append((c, passed / n, f"{c}: {passed} of {_plural(n, 'learner')} ({100 * passed / n:.0f} %)"))
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for r in scored:
            for tag, (score, most) in r.competencies.items():
                totals[tag][0] += score
                totals[tag][1] += most
        tags = sorted(totals)
        competency_bars = []
        for t in tags:
            earned, possible = totals[t]
            share = earned / possible if possible else 0
            competency_bars.append((t, share, f"{t}: {earned:g} of {possible:g} points ({100 * share:.0f} %)"))
        parts += ["<div class='charts'>",
                  _histogram_svg([r.score for r in scored], maximum),
                  _hbar_svg("pass rate per graded cell", "share of learners with full marks", cell_bars, GREEN,
                            "no graded cells"),
                  _hbar_svg("average per competency", "share of the points earned", competency_bars, VERMILLION,
                            "no competency tags"),
                  "</div>"]
        parts.append("<table><tr><th>competency</th><th>average share of points</th></tr>" + "".join(
            f"<tr><td>{html.escape(t)}</td><td>{100 * totals[t][0] / totals[t][1]:.0f} %</td></tr>"
            for t in tags if totals[t][1]) + "</table>")
    parts.append("</body></html>")
    page = out / "report.html"
    page.write_text("".join(parts))
    return page
