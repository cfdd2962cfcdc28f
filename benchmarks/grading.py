"""Cohort grading against stock nbgrader, in one run on the same machine.

    .venv/bin/python benchmarks/grading.py [--copies 6] [--modules 00_orientation ...] [--workers 2] [--repeat 2]

Makes ``--copies`` learners per module (the solution typed into the release, and every other one
the untouched release, so both fast and failing paths run), then times, on the same submissions:

* stock: ``nbgrader generate_assignment`` and one sequential ``nbgrader autograde <assignment>``
  per module (the way nbgrader grades a cohort), with the course's nbgrader_config.py;
* cold: ``python -m autograder grade --cold`` on its local Dask cluster (``--workers`` processes,
  sandboxed kernels, each a new interpreter that imports the course again; feedback, merged
  gradebook, competency pages and report included);
* warm: the same command without ``--cold``: every kernel forked from the worker's template that
  has imported the course's modules (the default);
* scheduler: warm, with ``--scheduler``, through a real ``dask scheduler`` and ``--workers``
  ``dask worker`` processes on loopback, started before the clock starts, as an instructor's
  cluster would be.

Each of our runs starts with an empty template cache (``COURSE_GRADING_CACHE``), as a first run on
a machine does. It prints the three throughputs side by side with their ratios, and our overhead
beyond notebook execution (kernel start to shutdown), three ways: per submission (what grading
one more notebook costs beyond running it: the mean, the mean without each worker's first
submission, which also pays the worker's set-up, the median and the 90th percentile), over the
grading phase (the workers' wall clock x workers), and end to end (with the costs paid once per
run: start-up, the merge and the report, which a larger cohort spreads thinner); and where a
submission's time goes, cold and warm: kernel start, the first cell (the course's imports), the
rest of the notebook, nbgrader's bookkeeping and the feedback page. Results also go to
``benchmarks/results/grading.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402
from dask_cluster import LoopbackCluster  # noqa: E402
from notebook_tools import assignment_ids, fill, read, release_path, solution_answers  # noqa: E402

from autograder.nbgrader_calls import generate_release, nbgrader  # noqa: E402
from autograder.results import load_all  # noqa: E402


def make_cohort(folder: Path, modules: list[str], copies: int) -> int:
    count = 0
    for module in modules:
        release = read(release_path(module))
        solved = fill(release, solution_answers(module))
        for i in range(copies):
            learner = f"learner{i:03d}"
            target = folder / learner / module / f"{module}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(solved if i % 2 == 0 else release, str(target))
            count += 1
    return count


def stock(submissions: Path, workspace: Path, modules: list[str]) -> float:
    started = time.monotonic()
    os.symlink(submissions, workspace / "submitted")
    generate_release(workspace / "release", workspace=workspace, only=modules)
    for module in modules:
        nbgrader("autograde", module, "--force", workspace=workspace)
    return time.monotonic() - started


def ours(submissions: Path, out: Path, *where: str) -> tuple[float, dict]:
    """``python -m autograder grade`` with ``where`` (--workers n, or --scheduler address)."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--quiet",
                    *where], cwd=REPO, check=True)
    seconds = time.monotonic() - started
    stats = json.loads((out / ".work" / "last_run.json").read_text())
    graded = [r for r in load_all(out) if r.status == "graded" and r.seconds + r.feedback_seconds > 0]
    # Each submission's own share of grading time beyond running its notebook.
    stats["submission_overheads"] = sorted(1 - r.execution_seconds / (r.seconds + r.feedback_seconds) for r in graded)
    # A worker's first submission also pays the worker's set-up (its warm template importing the
    # course beside nbgrader's first calls), once per worker however large the cohort: the cost of
    # one more submission is that of the others.
    later = [r for r in graded if r.worker_tasks_before]
    stats["later_overhead"] = (1 - sum(r.execution_seconds for r in later)
                               / sum(r.seconds + r.feedback_seconds for r in later)) if later else float("nan")
    stats["first_overhead_seconds"] = sorted(r.seconds + r.feedback_seconds - r.execution_seconds
                                             for r in graded if r.worker_tasks_before == 0)
    return seconds, stats


def overheads(seconds: float, stats: dict, workers: int) -> dict:
    """Our time beyond notebook execution, per submission, over the grading phase and end to end."""
    execution = stats["execution_seconds"]
    graded = stats["autograde_seconds"] + stats["feedback_seconds"]
    shares = stats.get("submission_overheads") or [float("nan")]
    return {"per_submission": 1 - execution / graded,
            "per_submission_after_first": stats["later_overhead"],
            "per_submission_median": statistics.median(shares),
            "per_submission_p90": shares[min(len(shares) - 1, int(0.9 * len(shares)))],
            "per_submission_seconds": (graded - execution) / stats["graded_now"],
            "grading_phase": 1 - execution / (stats["wall_seconds"] * workers),
            "end_to_end": 1 - execution / (seconds * workers)}


def breakdown(stats: dict) -> dict[str, float]:
    """Seconds per submission in each part of grading it (sums over the run / submissions)."""
    n = stats["graded_now"]
    execution = stats["execution_seconds"]
    return {"kernel start": stats["kernel_start_seconds"] / n,
            "first cell (the course's imports)": stats["first_cell_seconds"] / n,
            "rest of the notebook": (execution - stats["kernel_start_seconds"] - stats["first_cell_seconds"]) / n,
            "nbgrader bookkeeping (autograde around the kernel)": (stats["autograde_seconds"] - execution) / n,
            "feedback page": stats["feedback_seconds"] / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=6, help="learners per module (default 6: 60 submissions)")
    parser.add_argument("--modules", nargs="*", help="default: every module in solutions/")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the four runs, in turn (default 1); "
                        "figures of the median round, ratios the median of the rounds' ratios")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "grading.json",
                        help="where to write the figures (default: benchmarks/results/grading.json)")
    args = parser.parse_args()
    modules = args.modules or assignment_ids()
    kinds = ("stock", "cold", "warm", "scheduler")
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    stats: dict[str, list[dict]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        submissions = scratch / "submitted"
        n = make_cohort(submissions, modules, args.copies)
        print(f"{n} submissions across {len(modules)} modules, {args.workers} workers, {os.cpu_count()} cores, "
              f"{args.repeat} round(s)")
        local = ("--workers", str(args.workers))
        for round_ in range(args.repeat):  # the four runs in turn: a drifting machine affects them alike
            here = scratch / f"round-{round_}"
            (here / "stock").mkdir(parents=True)
            seconds["stock"].append(stock(submissions, here / "stock", modules))
            stats["stock"].append({})
            for kind, extra in (("cold", ("--cold",)), ("warm", ())):
                os.environ["COURSE_GRADING_CACHE"] = str(here / f"cache-{kind}")
                took, figures = ours(submissions, here / kind, *local, *extra)
                seconds[kind].append(took)
                stats[kind].append(figures)
            os.environ["COURSE_GRADING_CACHE"] = str(here / "cache-cluster")  # the workers inherit it
            with LoopbackCluster(here / "cluster", workers=args.workers) as cluster:
                took, figures = ours(submissions, here / "remote", "--scheduler", cluster.address)
            seconds["scheduler"].append(took)
            stats["scheduler"].append(figures)
    # Each run's figures are those of its median round; ratios are the median of the rounds' ratios.
    middle = {kind: sorted(range(args.repeat), key=lambda r, k=kind: seconds[k][r])[args.repeat // 2] for kind in kinds}
    stock_seconds, cold_seconds, warm_seconds, remote_seconds = (seconds[k][middle[k]] for k in kinds)
    cold, warm, remote = (stats[k][middle[k]] for k in ("cold", "warm", "scheduler"))

    def ratio(faster: str, slower: str) -> float:
        return statistics.median(seconds[slower][r] / seconds[faster][r] for r in range(args.repeat))

    runs = {"stock nbgrader autograde (sequential)": (stock_seconds, None),
            f"python -m autograder grade --cold (local, {args.workers} workers)": (cold_seconds, cold),
            f"python -m autograder grade (warm, local, {args.workers} workers)": (warm_seconds, warm),
            f"python -m autograder grade --scheduler (warm, {args.workers} dask workers)": (remote_seconds, remote)}
    for name, (took, _) in runs.items():
        print(f"{name:<66} {took:7.1f} s  {n / took * 60:6.2f} per minute")
    ratios = {"cold_vs_stock": ratio("cold", "stock"), "warm_vs_stock": ratio("warm", "stock"),
              "warm_vs_cold": ratio("warm", "cold"), "scheduler_vs_warm": ratio("scheduler", "warm")}
    print(f"cold / stock:            {ratios['cold_vs_stock']:.2f}x   (before warm kernels: about 2x on 2 cores)")
    print(f"warm / stock:            {ratios['warm_vs_stock']:.2f}x   (issue target: >= 3x on 2 cores)")
    print(f"warm / cold:             {ratios['warm_vs_cold']:.2f}x")
    print(f"scheduler / warm local:  {ratios['scheduler_vs_warm']:.2f}x   (issue target: within 10 %, >= 0.90x)")
    if args.repeat > 1:
        print("every round (s): " + "; ".join(f"{k} " + ", ".join(f"{x:.1f}" for x in seconds[k]) for k in kinds))
    figures = {"cold": overheads(cold_seconds, cold, args.workers), "warm": overheads(warm_seconds, warm, args.workers),
               "scheduler": overheads(remote_seconds, remote, args.workers)}
    print("overhead beyond notebook execution:                            cold    warm  scheduler")
    for key, label in (("per_submission", "per submission (autograde + feedback around the kernel)"),
                       ("per_submission_after_first", "  without each worker's first (issue target: under 5 %)"),
                       ("per_submission_median", "  the median submission's own"),
                       ("per_submission_p90", "  the 90th percentile submission's own"),
                       ("grading_phase", "grading phase (workers' wall clock not executing)"),
                       ("end_to_end", "end to end (start-up, merge, report included)")):
        print(f"  {label:<58} " + "  ".join(f"{figures[run][key]:6.1%}" for run in figures))
    parts = {"cold": breakdown(cold), "warm": breakdown(warm)}
    print("where a submission's time goes (seconds per submission):       cold    warm")
    for part in parts["cold"]:
        print(f"  {part:<58} {parts['cold'][part]:6.2f}  {parts['warm'][part]:6.2f}")
    for name, stats in (("cold", cold), ("warm", warm), ("scheduler", remote)):
        once = {phase: seconds for phase, seconds in stats["phases"].items() if phase != "grading"}
        firsts = ", ".join(f"{x:.2f}" for x in stats["first_overhead_seconds"])
        print(f"  once per run ({name}): " + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in once.items())
              + f"; each worker's first submission beyond execution: {firsts} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "submissions": n, "modules": modules, "workers": args.workers, "cores": os.cpu_count(),
        "stock_seconds": stock_seconds, "cold_seconds": cold_seconds, "warm_seconds": warm_seconds,
        "scheduler_seconds": remote_seconds, **ratios, "rounds": seconds, "overheads": figures, "breakdown": parts,
        "phases": {"cold": cold["phases"], "warm": warm["phases"], "scheduler": remote["phases"]},
        "sandbox": cold["sandbox"] and warm["sandbox"] and remote["sandbox"],
        "warm_kernels": warm["warm"] and remote["warm"], "scheduler_workers": remote["workers"],
        "load_average": os.getloadavg(),
    }, indent=1))


if __name__ == "__main__":
    main()
