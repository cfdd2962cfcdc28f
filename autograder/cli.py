"""The instructor's commands, on top of real nbgrader.

    python -m autograder release            regenerate notebooks/ from solutions/
    python -m autograder grade SUBMISSIONS  autograde a folder of submissions, write grades and feedback

Every nbgrader step runs as nbgrader's own command with ``cwd=autograder/`` (so it reads
``autograder/nbgrader_config.py``) and ``--CourseDirectory.root`` pointing at a workspace, so
the repository itself is never written to except ``notebooks/`` by ``release``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUTOGRADER = REPO / "autograder"
SOLUTIONS = REPO / "solutions"
RELEASE = REPO / "notebooks"


class NbgraderFailed(RuntimeError):
    pass


def assignments() -> list[str]:
    """Assignment ids: every ``solutions/NN_slug/NN_slug.ipynb``."""
    return sorted(p.parent.name for p in SOLUTIONS.glob("*/*.ipynb") if p.stem == p.parent.name)


def nbgrader(*args: str, workspace: Path) -> subprocess.CompletedProcess:
    """Run one nbgrader command against ``workspace`` (its course root and gradebook)."""
    workspace.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={workspace}"]
    # nbgrader calls `alembic` by name, so the environment's bin/ must come first on PATH.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(command, cwd=AUTOGRADER, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise NbgraderFailed(
            f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n{result.stderr[-4000:]}"
        )
    return result


def generate_release(destination: Path, workspace: Path, only: list[str] | None = None) -> None:
    """Generate the learner version of every assignment into ``destination`` (one nbgrader call).

    Also records the assignments' cells and checksums in the workspace gradebook, which
    autograding needs.
    """
    chosen = only or assignments()
    # One nbgrader call for all (its start-up costs seconds); a glob when several are asked for.
    patterns = ["*"] if set(chosen) == set(assignments()) else chosen
    for pattern in patterns:
        nbgrader(
            "generate_assignment", pattern, "--force",
            f"--CourseDirectory.release_directory={destination}",
            workspace=workspace,
        )


def release(only: list[str] | None = None) -> list[str]:
    """Regenerate ``notebooks/`` from ``solutions/`` (all assignments, or ``only`` these);
    returns the files that changed."""
    unknown = sorted(set(only or []) - set(assignments()))
    if unknown:
        raise ValueError(f"no such assignment in solutions/: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "release"
        generate_release(fresh, workspace=Path(scratch) / "workspace", only=only)
        changed = []
        for assignment in sorted(p.name for p in fresh.iterdir()):
            for new in sorted((fresh / assignment).rglob("*")):
                if new.is_file():
                    old = RELEASE / new.relative_to(fresh)
                    if not old.exists() or not filecmp.cmp(new, old, shallow=False):
                        changed.append(str(old.relative_to(REPO)))
            shutil.rmtree(RELEASE / assignment, ignore_errors=True)
            shutil.copytree(fresh / assignment, RELEASE / assignment)
        for stale in [] if only else RELEASE.iterdir():
            if stale.is_dir() and not (fresh / stale.name).exists():
                shutil.rmtree(stale)
                changed.append(f"{stale.relative_to(REPO)} (removed: no longer in solutions/)")
    return changed


def grade(submissions: Path, out: Path) -> Path:
    """Autograde submissions laid out as ``<learner>/<assignment>/<notebook>.ipynb``.

    Writes ``out/grades.csv`` (learner, assignment, score, max_score) and one feedback HTML per
    learner and assignment under ``out/feedback/``; nbgrader's own files stay in
    ``out/workspace``. Returns the path of grades.csv.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder of submissions")
    workspace = out / "workspace"
    shutil.copytree(submissions, workspace / "submitted", dirs_exist_ok=True)
    present = sorted({p.name for p in (workspace / "submitted").glob("*/*") if p.is_dir()})
    unknown = sorted(set(present) - set(assignments()))
    if unknown:
        raise ValueError(f"no such assignment in solutions/: {', '.join(unknown)}")
    generate_release(workspace / "release", workspace=workspace, only=present)
    for assignment in present:
        nbgrader("autograde", assignment, "--force", workspace=workspace)
        nbgrader("generate_feedback", assignment, "--force", workspace=workspace)
    export = workspace / "nbgrader_export.csv"
    nbgrader("export", f"--CsvExportPlugin.to={export}", workspace=workspace)
    grades = out / "grades.csv"
    with export.open() as src, grades.open("w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["learner_id", "assignment", "score", "max_score"])
        for row in csv.DictReader(src):
            if row["student_id"] and (workspace / "autograded" / row["student_id"] / row["assignment"]).exists():
                writer.writerow([row["student_id"], row["assignment"], row["score"], row["max_score"]])
    if (workspace / "feedback").exists():
        shutil.copytree(workspace / "feedback", out / "feedback", dirs_exist_ok=True)
    return grades


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    release_parser = sub.add_parser(
        "release", help="regenerate notebooks/ from solutions/ with nbgrader generate_assignment"
    )
    release_parser.add_argument("assignments", nargs="*", help="only these (default: all)")
    grade_parser = sub.add_parser("grade", help="autograde submissions and write grades.csv and feedback")
    grade_parser.add_argument("submissions", type=Path, help="folder laid out as <learner>/<assignment>/<nb>.ipynb")
    grade_parser.add_argument("--out", type=Path, help="output folder (default: grading-<date-time>/)")
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            changed = release(args.assignments or None)
            print("\n".join(f"updated {c}" for c in changed) or "notebooks/ already up to date")
        else:
            out = args.out or Path(f"grading-{dt.datetime.now():%Y%m%d-%H%M%S}")
            out.mkdir(parents=True, exist_ok=True)
            grades = grade(args.submissions, out.resolve())
            print(f"grades: {grades}\nfeedback: {out / 'feedback'}")
    except (NbgraderFailed, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
