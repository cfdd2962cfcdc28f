"""The instructor report of a cohort grading run: one self-contained HTML page with plots."""

from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

PASS = 1.0  # a graded cell is passed when it earns full marks
BLUE, GREEN, VERMILLION = "#0072B2", "#009E73", "#D55E00"  # Okabe-Ito: safe for colour-blind readers


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)  # tight_layout already fits it: no second draw
    import matplotlib.pyplot as plt

    plt.close(figure)
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"


def write_report(results: list[dict], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from autograder.cohort import competency_scores

    by_assignment: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_assignment[r["assignment"]].append(r)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grading report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px}</style></head><body>",
        f"<h1>Grading report</h1><p>{len(results)} submissions, "
        f"{len({r['learner'] for r in results})} learners. Status: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(Counter(r["status"] for r in results).items())) + "</p>",
    ]
    problems = [r for r in results if r["status"] != "graded" or r.get("note")]
    if problems:
        parts.append("<h2>Submissions that need a look</h2><table><tr><th>learner</th><th>assignment</th>"
                     "<th>status</th><th>reason</th></tr>")
        for r in problems:
            parts.append(f"<tr><td>{html.escape(r['learner'])}</td><td>{html.escape(r['assignment'])}</td>"
                         f"<td>{r['status']}</td><td>{html.escape((r['reason'] + ' ' + r.get('note', '')).strip())}"
                         "</td></tr>")
        parts.append("</table>")
    for assignment, rows in sorted(by_assignment.items()):
        parts.append(f"<h2>{html.escape(assignment)}</h2>")
        scored = [r for r in rows if r["status"] != "invalid"]
        if not scored:
            parts.append("<p>No gradable submission.</p>")
            continue
        maximum = max(r["max_score"] for r in scored) or 1
        mean = sum(r["score"] for r in scored) / len(scored)
        parts.append(f"<p>{len(scored)} graded, mean {mean:.2f} / {maximum:g}</p>")
        fig, axes = plt.subplots(1, 3, figsize=(15, 3.6))
        axes[0].hist([r["score"] for r in scored], bins=min(20, max(5, int(maximum) + 1)),
                     range=(0, maximum), color=BLUE)
        axes[0].set(title="score distribution", xlabel=f"score (points out of {maximum:g})", ylabel="learners")
        axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
        cells = sorted({c for r in scored for c in r["cells"]})
        rates = [sum(1 for r in scored if c in r["cells"] and r["cells"][c][1]
                     and r["cells"][c][0] >= PASS * r["cells"][c][1]) / len(scored) for c in cells]
        axes[1].barh(cells, rates, color=GREEN)
        axes[1].set(title="pass rate per graded cell", xlabel="share of learners with full marks", xlim=(0, 1))
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for r in scored:
            for tag, (score, most) in competency_scores(r).items():
                totals[tag][0] += score
                totals[tag][1] += most
        tags = sorted(totals)
        axes[2].barh(tags, [totals[t][0] / totals[t][1] if totals[t][1] else 0 for t in tags], color=VERMILLION)
        axes[2].set(title="average per competency", xlabel="share of the points earned", xlim=(0, 1))
        fig.tight_layout()
        parts.append(_png(fig))
        parts.append("<table><tr><th>competency</th><th>average share of points</th></tr>" + "".join(
            f"<tr><td>{html.escape(t)}</td><td>{100 * totals[t][0] / totals[t][1]:.0f} %</td></tr>"
            for t in tags if totals[t][1]) + "</table>")
    parts.append("</body></html>")
    page = out / "report.html"
    page.write_text("".join(parts))
    return page
