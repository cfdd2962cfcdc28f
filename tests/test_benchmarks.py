"""The benchmarks run and report what they measure (timings are reported there, never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import speed as benchmark  # noqa: E402

from autograder import sandbox  # noqa: E402


def test_benchmark_reports_every_demo_and_a_notebook(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "speed.py"), "--quick", "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    records = json.loads(out.read_text())["records"]
    demos = {r["name"] for r in records if r["kind"] == "demo"}
    expected = {f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}" for cls in benchmark.demo_classes()}
    assert demos == expected and "orientation.RadioKnobDemo" in demos
    for record in records:
        if record["kind"] == "demo":
            assert record["updates"] > 0 and 0 < record["median_ms"] <= record["p95_ms"] <= record["max_ms"]
    assert any(r["kind"] == "notebook" and r["seconds"] > 0 for r in records)
    assert "median ms" in result.stdout


def test_sweep_covers_each_control_range():
    import ipywidgets as widgets

    controls = {
        "alpha": widgets.FloatLogSlider(value=1.0, base=10, min=0, max=2, step=1),
        "k": widgets.IntSlider(value=3, min=1, max=5),
        "kind": widgets.ToggleButtons(options=["ridge", "lasso"]),
    }
    sequence = benchmark.move_sequence(controls, moves=10, seed=0)
    assert {m["alpha"] for m in sequence} == {1.0, 10.0, 100.0}
    assert {m["k"] for m in sequence} == {1, 2, 3, 4, 5}
    assert {m["kind"] for m in sequence} == {"ridge", "lasso"}
    assert len(sequence) == 3 + 5 + 2 + 10


def test_grading_benchmark_times_stock_cold_warm_and_scheduler_runs(tmp_path):
    """The smallest real run: two learners of module 00, graded by stock nbgrader, by ours with cold
    and with warm kernels on a local cluster, and through a loopback `dask scheduler` with two workers."""
    out = tmp_path / "grading.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "grading.py"), "--copies", "2", "--modules", "00_orientation",
         "--json", str(out)],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["submissions"] == 2
    for run in ("stock", "cold", "warm", "scheduler"):
        assert figures[f"{run}_seconds"] > 0
    assert figures["sandbox"] == figures["warm_kernels"] == (sandbox.probe() is None)
    assert 1 <= figures["scheduler_workers"] <= 2, "graded by the loopback cluster's workers"
    for run in ("cold", "warm", "scheduler"):
        overhead = figures["overheads"][run]
        assert overhead["per_submission"] < 1
        assert 0 < overhead["per_submission_median"] <= overhead["per_submission_p90"] < 1
        assert {"collect", "grading", "merge_and_report"} <= set(figures["phases"][run])
    for run in ("cold", "warm"):
        parts = figures["breakdown"][run]
        assert parts["kernel start"] > 0 and parts["first cell (the course's imports)"] > 0
        assert all(seconds >= 0 for seconds in parts.values()), parts
    for line in ("cold / stock", "warm / stock", "scheduler / warm local", "per submission", "the median submission's",
                 "without each worker's first", "each worker's first submission beyond execution", "grading phase",
                 "end to end", "kernel start", "feedback page"):
        assert line in result.stdout
