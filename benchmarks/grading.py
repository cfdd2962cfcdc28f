"""Cohort grading against stock nbgrader, in one run on the same machine.

    .venv/bin/python benchmarks/grading.py [--copies 2] [--modules 00_orientation 01_linear_models] [--workers 2]

Makes ``--copies`` learners per module (the solution typed into the release, and every other one
the untouched release, so both fast and failing paths run), then times, on the same submissions:

* stock: ``nbgrader generate_assignment`` and one sequential ``nbgrader autograde <assignment>``
  per module (the way nbgrader grades a cohort), with the course's nbgrader_config.py;
* local: ``python -m autograder grade`` on its local Dask cluster (``--workers`` processes,
  sandboxed kernels, feedback, merged gradebook, competency pages and report included);
* scheduler: the same command with ``--scheduler``, through a real ``dask scheduler`` and
  ``--workers`` ``dask worker`` processes on loopback, started (and warm) before the clock starts,
  as an instructor's cluster would be.

Each of our runs starts with an empty template cache (``COURSE_GRADING_CACHE``), as a first run on
a machine does. It prints the three throughputs side by side with their ratios, and our overhead
beyond notebook execution (kernel start to shutdown), three ways: per submission (what grading
one more notebook costs beyond running it), over the grading phase (the workers' wall clock x
workers), and end to end (with the costs paid once per run: start-up, the merge and the report,
which a larger cohort spreads thinner). Results also go to ``benchmarks/results/grading.json``.
"""

from __future__ import annotations

import argparse
import json
import os
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
    return seconds, json.loads((out / ".work" / "last_run.json").read_text())


def overheads(seconds: float, stats: dict, workers: int) -> dict:
    """Our time beyond notebook execution, per submission, over the grading phase and end to end."""
    execution = stats["execution_seconds"]
    graded = stats["autograde_seconds"] + stats["feedback_seconds"]
    return {"per_submission": 1 - execution / graded,
            "per_submission_seconds": (graded - execution) / stats["graded_now"],
            "grading_phase": 1 - execution / (stats["wall_seconds"] * workers),
            "end_to_end": 1 - execution / (seconds * workers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="learners per module (default 2)")
    parser.add_argument("--modules", nargs="*", help="default: every module in solutions/")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "grading.json",
                        help="where to write the figures (default: benchmarks/results/grading.json)")
    args = parser.parse_args()
    modules = args.modules or assignment_ids()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        submissions = scratch / "submitted"
        n = make_cohort(submissions, modules, args.copies)
        print(f"{n} submissions across {len(modules)} modules, {args.workers} workers, {os.cpu_count()} cores")
        (scratch / "stock").mkdir()
        stock_seconds = stock(submissions, scratch / "stock", modules)
        os.environ["COURSE_GRADING_CACHE"] = str(scratch / "cache-local")
        local_seconds, local = ours(submissions, scratch / "local", "--workers", str(args.workers))
        os.environ["COURSE_GRADING_CACHE"] = str(scratch / "cache-cluster")  # the workers inherit it
        with LoopbackCluster(scratch / "cluster", workers=args.workers) as cluster:
            remote_seconds, remote = ours(submissions, scratch / "remote", "--scheduler", cluster.address)
    runs = {"stock nbgrader autograde (sequential)": (stock_seconds, None),
            f"python -m autograder grade (local cluster, {args.workers} workers)": (local_seconds, local),
            f"python -m autograder grade --scheduler ({args.workers} dask workers)": (remote_seconds, remote)}
    for name, (seconds, _) in runs.items():
        print(f"{name:<58} {seconds:7.1f} s  {n / seconds * 60:6.2f} per minute")
    print(f"local / stock:           {stock_seconds / local_seconds:.2f}x   (issue target: about 2x on 2 cores)")
    print(f"scheduler / local:       {local_seconds / remote_seconds:.2f}x   (issue target: within 10 %, >= 0.90x)")
    figures = {"local": overheads(local_seconds, local, args.workers),
               "scheduler": overheads(remote_seconds, remote, args.workers)}
    print("overhead beyond notebook execution:            local   scheduler")
    for key, label in (("per_submission", "per submission (autograde + feedback around the kernel)"),
                       ("grading_phase", "grading phase (workers' wall clock not executing)"),
                       ("end_to_end", "end to end (start-up, merge, report included)")):
        print(f"  {label:<58} {figures['local'][key]:6.1%}  {figures['scheduler'][key]:6.1%}")
    print(f"  seconds per submission beyond the kernel: {figures['local']['per_submission_seconds']:.2f} local, "
          f"{figures['scheduler']['per_submission_seconds']:.2f} scheduler")
    for name, stats in (("local", local), ("scheduler", remote)):
        once = {phase: seconds for phase, seconds in stats["phases"].items() if phase != "grading"}
        print(f"  once per run ({name}): " + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in once.items()))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "submissions": n, "modules": modules, "workers": args.workers, "cores": os.cpu_count(),
        "stock_seconds": stock_seconds, "local_seconds": local_seconds, "scheduler_seconds": remote_seconds,
        "local_vs_stock": stock_seconds / local_seconds, "scheduler_vs_local": local_seconds / remote_seconds,
        "overheads": figures, "phases": {"local": local["phases"], "scheduler": remote["phases"]},
        "execution_seconds": {"local": local["execution_seconds"], "scheduler": remote["execution_seconds"]},
        "sandbox": local["sandbox"] and remote["sandbox"], "scheduler_workers": remote["workers"],
        "load_average": os.getloadavg(),
    }, indent=1))


if __name__ == "__main__":
    main()
