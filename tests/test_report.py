"""The instructor report's inline SVG charts, from hand-made grading results on a real assignment
(its competency tags come from solutions/01_linear_models)."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from autograder import course
from autograder.report import BLUE, GREEN, ROW, VERMILLION, RunFacts, write_report
from autograder.results import Result

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01_linear_models"
SVG = "{http://www.w3.org/2000/svg}"
POINTS = {c["metadata"]["nbgrader"]["grade_id"]: float(c["metadata"]["nbgrader"].get("points", 0))
          for c in course.source_cells(ASSIGNMENT) if c["metadata"]["nbgrader"].get("grade")}
FIRST, LAST = sorted(POINTS)[0], sorted(POINTS)[-1]


def result(learner: str, earned: dict[str, float] | None = None, status: str = "graded",
           assignment: str = ASSIGNMENT, points: dict[str, float] = POINTS) -> Result:
    """A result as cohort grading records it (competencies summed); cells not in `earned` score 0."""
    cells = {} if earned is None else {g: (earned.get(g, 0.0), m) for g, m in points.items()}
    return Result(learner=learner, assignment=assignment, digest="0" * 64, source="", status=status,
                  reason="" if status == "graded" else "it broke", cells=cells,
                  score=sum(s for s, _ in cells.values()), max_score=sum(points.values())).with_competencies()


def charts(tmp_path: Path, results: list[Result]) -> tuple[str, list[ET.Element]]:
    page = write_report(results, tmp_path).read_text()
    return page, [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", page, re.S)]


def titles(svg: ET.Element) -> list[str]:
    return [rect.find(f"{SVG}title").text for rect in svg.iter(f"{SVG}rect")]


def texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]


def test_three_well_formed_accessible_charts_per_assignment(tmp_path):
    results = [result(f"l{i}", {FIRST: POINTS[FIRST]} if i % 2 else dict(POINTS)) for i in range(6)]
    results.append(result("m0", {}, assignment="02_logistic_regression", points={"test_odds_ratio_per_sd": 2.0}))
    page, svgs = charts(tmp_path, results)
    assert len(svgs) == 6 and page.count("<div class='charts'>") == 2
    assert "matplotlib" not in page and "data:image/png" not in page
    for svg in svgs:
        assert svg.get("role") == "img" and len(svg.get("aria-label")) > 20
        assert all(t for t in titles(svg)), "every bar has a <title> with its value"
    histogram, passes, competencies = svgs[:3]
    maximum = sum(POINTS.values())
    assert {"score distribution", f"score (points out of {maximum:g})", "learners"} <= set(texts(histogram))
    assert {"pass rate per graded cell", "share of learners with full marks", "0", "0.25", "0.5", "0.75", "1"} \
        <= set(texts(passes))
    assert {"average per competency", "share of the points earned"} <= set(texts(competencies))
    assert {r.get("fill") for r in histogram.iter(f"{SVG}rect")} == {BLUE}
    assert {r.get("fill") for r in passes.iter(f"{SVG}rect")} == {GREEN}
    assert {r.get("fill") for r in competencies.iter(f"{SVG}rect")} == {VERMILLION}
    assert len(titles(passes)) == len(POINTS)  # one bar per graded cell, even with a zero pass rate
    assert len(titles(competencies)) == len(set(course.competencies(ASSIGNMENT).values()))
    y_ticks = [t for t in texts(histogram) if t.isdigit()]
    assert "3" in y_ticks and all(float(t).is_integer() for t in y_ticks)  # integer learner counts
    assert page.index("graded, mean") < page.index("<svg") < page.index("<th>competency</th>")


def test_histogram_counts_add_up_to_the_graded_learners(tmp_path):
    rng = random.Random(1)
    graded = [result(f"l{i}", {g: rng.choice([0.0, m / 2, m]) for g, m in POINTS.items()}) for i in range(11)]
    graded += [result("full", dict(POINTS)), result("crashed", status="crashed")]  # a crash scores 0 and counts
    _, svgs = charts(tmp_path, [*graded, result("not-a-notebook", status="invalid")])
    counts = [int(re.search(r": (\d+) learners?$", t).group(1)) for t in titles(svgs[0])]
    assert sum(counts) == len(graded) == 13
    maximum = sum(POINTS.values())
    expected, edges = np.histogram([r.score for r in graded], bins=min(20, max(5, int(maximum) + 1)),
                                   range=(0, maximum))
    assert counts == [c for c in expected.tolist() if c]  # empty bins draw no bar
    assert titles(svgs[0])[-1].startswith(f"{round(edges[-2], 2):g} ≤ score ≤ {maximum:g} points: ")  # closed


def test_pass_rate_and_competency_titles_give_exact_numbers(tmp_path):
    # 3 of 8 learners get full marks on FIRST, 1 of 8 gets half of LAST, nobody passes the rest.
    results = [result(f"l{i}", {FIRST: POINTS[FIRST]} if i < 3 else {}) for i in range(8)]
    results[7] = result("l7", {LAST: POINTS[LAST] / 2})
    _, svgs = charts(tmp_path, results)
    passes = titles(svgs[1])
    assert f"{FIRST}: 3 of 8 learners (38 %)" in passes
    assert f"{LAST}: 0 of 8 learners (0 %)" in passes  # half marks is not a pass
    assert passes == sorted(passes)  # cells top to bottom in name order
    tag = course.competencies(ASSIGNMENT)[FIRST]
    in_tag = [g for g, t in course.competencies(ASSIGNMENT).items() if t == tag]
    earned, possible = 3 * POINTS[FIRST] + (POINTS[LAST] / 2 if LAST in in_tag else 0), 8 * sum(
        POINTS[g] for g in in_tag)
    assert f"{tag}: {earned:g} of {possible:g} points ({100 * earned / possible:.0f} %)" in titles(svgs[2])


def test_names_from_notebook_metadata_are_escaped(tmp_path):
    hostile_cell, hostile_tag = "<script>alert('cell')</script>\x07&", "<img src=x onerror=alert(1)>"
    hostile = result("l0", {hostile_cell: 1.0}, points={hostile_cell: 1.0})
    hostile.competencies = {hostile_tag: (1.0, 2.0)}
    page, svgs = charts(tmp_path, [hostile])
    assert "<script>" not in page and "<img" not in page and "\x07" not in page
    assert f"{hostile_cell[:-2]}&: 1 of 1 learner (100 %)" in titles(svgs[1])  # parsed back: the real name
    assert titles(svgs[2]) == [f"{hostile_tag}: 1 of 2 points (50 %)"]
    assert hostile_tag in svgs[2].get("aria-label")


def test_edge_cases_draw_valid_charts(tmp_path):
    # One learner, no graded cells, maximum 0, an assignment without competency tags.
    _, svgs = charts(tmp_path, [result("only", {}, assignment="99_not_a_course_notebook", points={})])
    histogram, passes, competencies = svgs
    assert titles(histogram) == ["0 ≤ score < 0.2 points: 1 learner"] and "score (points out of 1)" in texts(histogram)
    assert titles(passes) == [] and "no graded cells" in texts(passes)
    assert titles(competencies) == [] and "no competency tags" in texts(competencies)
    # Hundreds of cells: the bar chart grows instead of squeezing them, long names cut with the full one on hover.
    many = {f"test_cell_{i:03d}_with_a_rather_long_descriptive_name": 1.0 for i in range(300)}
    _, svgs = charts(tmp_path, [result(f"l{i}", dict.fromkeys(many, 1.0), points=many) for i in range(2)])
    passes = svgs[1]
    assert len(titles(passes)) == 300 and float(passes.get("height")) > 300 * ROW
    labels = [t for t in passes.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None]
    assert len(labels) == 300 and labels[0].find(f"{SVG}title").text in many
    assert all(len("".join(t.itertext()).removeprefix(t.find(f"{SVG}title").text)) <= 24 for t in labels)


def test_write_report_does_not_import_matplotlib(tmp_path):
    code = """
import sys
from pathlib import Path
from autograder.report import write_report
from autograder.results import Result
write_report([Result.from_json(sys.argv[2])], Path(sys.argv[1]))
print("matplotlib" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path), result("l0", {FIRST: 1.0}).to_json()],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False" and "<svg" in (tmp_path / "report.html").read_text()


def test_the_report_says_how_the_run_was_graded(tmp_path):
    facts = RunFacts(graded_now=12, workers=3, scheduler="tcp://10.0.0.5:8786",
                     dashboard="http://10.0.0.5:8787/status", sandbox=True)
    page = write_report([result("l0", {FIRST: 1.0})], tmp_path, facts).read_text()
    assert "12 submissions with 3 workers on tcp://10.0.0.5:8786" in page
    assert "http://10.0.0.5:8787/status" in page and "sandboxed" in page
