"""The instructor's commands, on top of real nbgrader.

    python -m autograder release            regenerate notebooks/ from solutions/
    python -m autograder grade SUBMISSIONS  grade a cohort (parallel, sandboxed): grades, feedback, report

Every nbgrader step runs as nbgrader's own command with ``cwd=autograder/`` (so it reads
``autograder/nbgrader_config.py``) and ``--CourseDirectory.root`` pointing at a workspace, so
the repository itself is never written to except ``notebooks/`` by ``release``.
"""

from __future__ import annotations

import argparse
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


def grade(submissions: Path, out: Path, **options) -> Path:
    """Grade a cohort's submissions into ``out`` (see ``autograder/cohort.py``).

    Writes ``out/grades.csv`` (learner_id, assignment, score, max_score, status, reason), one
    feedback HTML per learner and assignment under ``out/feedback/<learner>/<assignment>/``
    (with ``competencies.html``), ``out/competencies.csv``, ``out/report.html`` and nbgrader's
    merged gradebook and autograded notebooks in ``out/workspace``. Returns the path of grades.csv.
    """
    from autograder.cohort import Options, grade_cohort

    options.setdefault("progress", False)
    return grade_cohort(Path(submissions), Path(out), Options(**options))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    release_parser = sub.add_parser(
        "release", help="regenerate notebooks/ from solutions/ with nbgrader generate_assignment"
    )
    release_parser.add_argument("assignments", nargs="*", help="only these (default: all)")
    grade_parser = sub.add_parser(
        "grade", help="grade a cohort: grades.csv, feedback, competency pages and an instructor report",
        description=(
            "Grade every submission with nbgrader, in parallel, each learner's kernel in a sandbox "
            "(no network, read-only system, memory/CPU/process/time limits). Rerunning with the same "
            "--out resumes: submissions already graded (same file, same course sources) are kept."
        ),
    )
    grade_parser.add_argument(
        "submissions", type=Path,
        help="folder or .zip: <learner>/<assignment>/<nb>.ipynb (nbgrader) or <learner>_<anything>.ipynb "
             "(LMS export); each notebook's assignment is read from its nbgrader metadata",
    )
    grade_parser.add_argument("--out", type=Path, help="output folder (default: a new grading-<date-time>/)")
    grade_parser.add_argument("--workers", type=int, default=0, help="parallel graders (default: one per core)")
    grade_parser.add_argument("--cell-timeout", type=int, help="seconds per cell (default: nbgrader_config.py's 120)")
    grade_parser.add_argument("--notebook-timeout", type=int, default=900, help="seconds per notebook (default 900)")
    grade_parser.add_argument("--memory-mb", type=int, default=3072, help="memory limit per kernel (default 3072)")
    grade_parser.add_argument("--db-url", help="gradebook for the merged grades, e.g. postgresql://user@host/course "
                              "(default: sqlite in OUT/workspace/gradebook.db)")
    grade_parser.add_argument("--no-sandbox", action="store_true",
                              help="run learner code unconfined (only for trusted notebooks; prints a warning)")
    grade_parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            changed = release(args.assignments or None)
            print("\n".join(f"updated {c}" for c in changed) or "notebooks/ already up to date")
        else:
            # jsonschema loads the optional rfc3987_syntax for its "iri" format check, which builds
            # its parsers at import (1 s here, before any grading starts); nbformat and nbgrader
            # validate without format checks, so the grader goes without it.
            sys.modules.setdefault("rfc3987_syntax", None)
            from autograder.cohort import default_out
            from autograder.sandbox import Limits

            out = args.out or default_out()
            out.mkdir(parents=True, exist_ok=True)
            grades = grade(
                args.submissions, out.resolve(), workers=args.workers, cell_timeout=args.cell_timeout,
                sandbox=not args.no_sandbox, db_url=args.db_url, progress=not args.quiet,
                limits=Limits(memory_mb=args.memory_mb, notebook_seconds=args.notebook_timeout),
            )
            print(f"grades: {grades}\nfeedback: {out / 'feedback'}\nreport: {out / 'report.html'}\nfolder: {out}")
    except (NbgraderFailed, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
