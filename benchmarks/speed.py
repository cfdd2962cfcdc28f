"""Benchmarks: how fast each widget demo answers, and how long each notebook takes to run.

    .venv/bin/python benchmarks/speed.py            # everything (a few minutes)
    .venv/bin/python benchmarks/speed.py --demos    # widget demos only
    .venv/bin/python benchmarks/speed.py --quick    # a short smoke run (what the test suite does)

Prints a table and writes one JSON record per demo and notebook (``--json``, default
``benchmarks/results/latest.json``), so runs can be compared across commits. Targets (on the
course's 2-core machine): demo update median ≤ 100 ms and p95 ≤ 200 ms; each notebook ≤ 20 s;
the whole course ≤ 120 s. Nothing here asserts: missing a target is reported, not raised.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import ipywidgets as widgets
import nbformat
import numpy as np
from jupyter_client import KernelManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coursekit import demos as demos_package  # noqa: E402
from coursekit.demos.base import Demo  # noqa: E402

DEMO_MEDIAN_MS, DEMO_P95_MS = 100.0, 200.0
NOTEBOOK_S, COURSE_S = 20.0, 120.0


def demo_classes() -> list[type[Demo]]:
    """Every Demo subclass defined in coursekit.demos.*, by module order."""
    found = []
    for info in sorted(pkgutil.iter_modules(demos_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"coursekit.demos.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Demo) and cls is not Demo and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def control_values(control: widgets.ValueWidget) -> list:
    """Every value a control can take (its whole range, on its own step)."""
    if isinstance(control, widgets.FloatLogSlider):
        exponents = np.arange(control.min, control.max + control.step / 2, control.step)
        return [float(control.base**e) for e in exponents]
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        return list(np.arange(control.min, control.max + control.step / 2, control.step).tolist())
    if hasattr(control, "_options_values"):  # every selection widget: Dropdown, ToggleButtons, …
        return list(control._options_values)
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [False, True]
    return [control.value]


def move_sequence(controls: dict, moves: int, seed: int) -> list[dict]:
    """Sweep each control over its whole range (others at their start), then a seeded random
    walk of small steps, as a learner drags sliders back and forth."""
    start = {name: c.value for name, c in controls.items()}
    ranges = {name: control_values(c) for name, c in controls.items()}
    sequence = [{**start, name: value} for name, values in ranges.items() for value in values]
    rng = random.Random(seed)
    position = {name: values.index(start[name]) if start[name] in values else 0 for name, values in ranges.items()}
    for _ in range(moves):
        name = rng.choice(list(ranges))
        position[name] = min(max(position[name] + rng.choice([-2, -1, 1, 2]), 0), len(ranges[name]) - 1)
        sequence.append({n: ranges[n][i] for n, i in position.items()})
    return sequence


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def bench_demo(cls: type[Demo], moves: int, quick: bool) -> dict:
    started = time.perf_counter()
    demo = cls()
    build_s = time.perf_counter() - started
    controls = demo.controls()
    sequence = move_sequence(controls, moves, seed=0)
    if quick:
        sequence = sequence[:: max(1, len(sequence) // 8)]
    demo.update(**sequence[0])  # warm-up: first full draw, caches
    times = []
    for values in sequence:
        t = time.perf_counter()
        png = demo.update(**values)
        times.append((time.perf_counter() - t) * 1000)
        assert png[:8] == b"\x89PNG\r\n\x1a\n", f"{cls.__name__}.update did not return a PNG"
    median, p95 = statistics.median(times), percentile(times, 95)
    return {
        "kind": "demo",
        "name": f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}",
        "updates": len(times),
        "build_s": round(build_s, 3),
        "median_ms": round(median, 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(times), 1),
        "meets_target": median <= DEMO_MEDIAN_MS and p95 <= DEMO_P95_MS,
    }


def execute(notebook, timeout: int, folder: Path | None = None) -> None:
    """Run ``notebook`` in a fresh kernel, as Jupyter would; the kernel talks over local sockets
    (``ipc``), so it does not warn about unencrypted TCP on every start."""
    with tempfile.TemporaryDirectory(prefix="bench-kernel-") as sockets:
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "k"))
        resources = {"metadata": {"path": str(folder)}} if folder else {}
        try:
            NotebookClient(notebook, km=kernel, timeout=timeout, resources=resources).execute()
        finally:
            # nbclient leaves a kernel it was handed running: stop it, or every notebook's kernel
            # lives (and holds memory) until the benchmark exits.
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=True)


def kernel_floor() -> float:
    """Start a kernel and run one empty cell: the cost no notebook can go below."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    started = time.perf_counter()
    execute(notebook, timeout=120)
    return time.perf_counter() - started


def bench_notebook(path: Path) -> dict:
    notebook = nbformat.read(str(path), as_version=4)
    started = time.perf_counter()
    execute(notebook, timeout=600, folder=path.parent)
    seconds = time.perf_counter() - started
    return {
        "kind": "notebook",
        "name": path.stem,
        "seconds": round(seconds, 2),
        "meets_target": seconds <= NOTEBOOK_S,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demos", action="store_true", help="widget demos only")
    parser.add_argument("--notebooks", action="store_true", help="notebooks only")
    parser.add_argument("--quick", action="store_true", help="a few updates per demo and one notebook")
    parser.add_argument("--moves", type=int, default=60, help="random-walk moves per demo after the sweep")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "latest.json")
    args = parser.parse_args(argv)
    records = []
    if not args.notebooks:
        print(f"{'demo':<48} {'updates':>7} {'build s':>8} {'median ms':>10} {'p95 ms':>8}  target")
        for cls in demo_classes():
            r = bench_demo(cls, args.moves, args.quick)
            records.append(r)
            flag = "ok" if r["meets_target"] else f"MISSED (≤{DEMO_MEDIAN_MS:g} / ≤{DEMO_P95_MS:g} ms)"
            print(
                f"{r['name']:<48} {r['updates']:>7} {r['build_s']:>8.2f} {r['median_ms']:>10.1f} "
                f"{r['p95_ms']:>8.1f}  {flag}"
            )
    if not args.demos:
        floor = kernel_floor()
        records.append({"kind": "kernel", "name": "kernel start-up (floor)", "seconds": round(floor, 2)})
        print(f"\n{'notebook (solution, fresh kernel)':<48} {'seconds':>8}  target")
        print(f"{'kernel start-up + empty cell (floor)':<48} {floor:>8.2f}")
        paths = sorted((REPO / "solutions").glob("*/*.ipynb"))
        paths = [p for p in paths if p.stem == p.parent.name][: 1 if args.quick else None]
        for path in paths:
            r = bench_notebook(path)
            records.append(r)
            flag = "ok" if r["meets_target"] else f"MISSED (≤{NOTEBOOK_S:g} s)"
            print(f"{r['name']:<48} {r['seconds']:>8.2f}  {flag}")
        total = sum(r["seconds"] for r in records if r["kind"] == "notebook")
        course_ok = total <= COURSE_S or args.quick
        records.append(
            {"kind": "course", "name": "whole course", "seconds": round(total, 2), "meets_target": course_ok}
        )
        print(f"{'whole course':<48} {total:>8.2f}  {'ok' if course_ok else f'MISSED (≤{COURSE_S:g} s)'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cores": os.cpu_count()}
    args.json.write_text(json.dumps({"meta": meta, "records": records}, indent=2))
    print(f"\nresults: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
