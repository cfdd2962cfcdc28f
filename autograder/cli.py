"""The instructor's commands, on top of real nbgrader.

    python -m autograder release            regenerate notebooks/ from solutions/
    python -m autograder grade SUBMISSIONS  grade a cohort (Dask, sandboxed): grades, feedback, report
    python -m autograder override ...       an instructor's points for one test cell, with the reason

This module only reads the command line and calls down: ``release.py`` for the release,
``cohort.py`` for grading (which runs the steps a submission goes through, one file each).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from autograder import overrides, results, similarity
from autograder.cohort import Options, default_out, grade_cohort
from autograder.course import CELL_TIMEOUT
from autograder.merge import DatabaseError
from autograder.nbgrader_calls import NbgraderFailed
from autograder.release import release
from autograder.sandbox import Limits
from autograder.scheduling import ClusterError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    release_parser = sub.add_parser(
        "release", help="regenerate notebooks/ from solutions/ with nbgrader generate_assignment"
    )
    release_parser.add_argument("assignments", nargs="*", help="only these (default: all)")
    grade_parser = sub.add_parser(
        "grade", help="grade a cohort: grades.csv, feedback, competency pages and an instructor report",
        description=(
            "Grade every submission with nbgrader on a Dask cluster (a local one, or --scheduler), each "
            "learner's kernel in a sandbox (no network, read-only system, memory/CPU/process/time limits). "
            "Rerunning with the same --out resumes: submissions already graded (same file, same course "
            "sources) are kept."
        ),
    )
    grade_parser.add_argument(
        "submissions", type=Path,
        help="folder or .zip: <learner>/<assignment>/<nb>.ipynb (nbgrader) or <learner>_<anything>.ipynb "
             "(LMS export); each notebook's assignment is read from its nbgrader metadata",
    )
    grade_parser.add_argument("--out", type=Path, help="output folder (default: a new grading-<date-time>/)")
    grade_parser.add_argument("--scheduler", help="grade on an existing Dask cluster, e.g. tcp://host:8786 "
                              "(its workers run this same checkout; default: a local cluster)")
    grade_parser.add_argument("--workers", type=int, default=0,
                              help="local cluster: worker processes (default: one per core)")
    grade_parser.add_argument("--cell-timeout", type=int, help=f"seconds per cell (default {CELL_TIMEOUT})")
    grade_parser.add_argument("--notebook-timeout", type=int, default=Limits.notebook_seconds,
                              help=f"seconds per notebook (default {Limits.notebook_seconds})")
    grade_parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb,
                              help=f"memory limit per kernel (default {Limits.memory_mb})")
    grade_parser.add_argument("--db-url", help="gradebook for the merged grades, e.g. postgresql://user@host/course "
                              "(default: sqlite in OUT/workspace/gradebook.db)")
    grade_parser.add_argument("--no-sandbox", action="store_true",
                              help="run learner code unconfined (only for trusted notebooks; prints a warning)")
    lms = grade_parser.add_argument_group("grades into the LMS (written to OUT/lms/, listed in the report)")
    lms.add_argument("--canvas-roster", type=Path, metavar="CSV",
                     help="the gradebook Canvas exported (Grades > Export): written back with this run's grades as "
                          "OUT/lms/canvas-import.csv, for Grades > Import")
    lms.add_argument("--canvas-match", default="SIS Login ID", metavar="COLUMN",
                     help="the roster column that holds the learner ids (default: SIS Login ID)")
    lms.add_argument("--moodle", action="store_true",
                     help="also OUT/lms/moodle-import.csv for Moodle's grade import (one column per assignment)")
    lms.add_argument("--moodle-roster", type=Path, metavar="CSV",
                     help="the gradebook Moodle exported: exactly its learners are written (implies --moodle)")
    lms.add_argument("--moodle-identifier", default="username", metavar="FIELD",
                     help="Moodle's user field the learner ids are: username (default), email or idnumber")
    lms.add_argument("--missing-grade", choices=("empty", "zero"), default="empty",
                     help="a roster learner without a submission: leave the grade as it is (default) or 0")
    week = grade_parser.add_argument_group("deadlines and regrading")
    week.add_argument("--policy", type=Path, metavar="TOML",
                      help="late policy: due dates, penalties, cutoffs (default: autograder/late_policy.toml)")
    week.add_argument("--extensions", type=Path, metavar="CSV",
                      help="per-learner extensions: learner_id,assignment,new_due,extra_days,reason")
    week.add_argument("--learner", action="append", default=[], metavar="ID",
                      help="regrade only this learner's submissions in an existing --out (repeatable); the "
                           "tables, gradebook, LMS files and report are rebuilt, every other grade is kept")
    week.add_argument("--assignment", action="append", default=[], metavar="NAME",
                      help="regrade only this assignment's submissions (repeatable; with --learner: both)")
    grade_parser.add_argument("--similarity-threshold", type=float, default=similarity.THRESHOLD, metavar="SHARE",
                              help="flag two learners' answers to a cell in OUT/similarity.html when this share of "
                                   f"the shorter one is in the other (default {similarity.THRESHOLD}); flags change "
                                   "no grade")
    grade_parser.add_argument("--no-similarity", action="store_true", help="do not compare answers between learners")
    grade_parser.add_argument("--cold", action="store_true",
                              help="start every kernel as a new interpreter instead of forking it from the worker's "
                                   "warm template (slower; for comparison)")
    grade_parser.add_argument("--quiet", action="store_true", help="no progress bar")
    override = sub.add_parser(
        "override", help="set the points of one test cell of one learner's submission, with the reason",
        description=("Appends the override to OUT/overrides.csv (an audit trail: the last row for a cell applies) "
                     "and rebuilds grades, gradebook, LMS files, feedback and report with the grade command last "
                     "run on OUT, regrading nothing."))
    override.add_argument("--out", type=Path, required=True, help="the folder of the grading run")
    override.add_argument("--learner", required=True, metavar="ID", help="as in grades.csv")
    override.add_argument("--assignment", required=True, metavar="NAME")
    override.add_argument("--cell", required=True, metavar="GRADE_ID", help="the test cell, e.g. test_tune_alpha")
    override.add_argument("--points", required=True, type=float)
    override.add_argument("--reason", required=True, help="shown to the learner and in the report")
    override.add_argument("--no-rebuild", action="store_true", help="only record it; the next grade run applies it")
    return parser


LAST_GRADE = Path(".work") / "grade-command.json"  # in OUT: what `override` runs again to rebuild


def _override(args: argparse.Namespace) -> int:
    out = args.out.resolve()
    graded = {(r.learner, r.assignment) for r in results.load_all(out)}
    if not graded:
        raise ValueError(f"{out} holds no graded submission: give the --out folder of a grading run")
    decision = overrides.check(args.learner, args.assignment, args.cell, args.points, args.reason.strip(), "",
                               graded, "override")
    overrides.append(out, decision)
    print(f"recorded in {overrides.path(out)}")
    try:
        last = json.loads((out / LAST_GRADE).read_text())
    except (OSError, ValueError):
        last = None
    if args.no_rebuild or last is None:
        print("it applies at the next rebuild: run the grade command again with this --out (nothing is regraded)")
        return 0
    print("rebuilding with: python -m autograder " + " ".join(last["argv"]))
    os.chdir(last["cwd"])
    return main(last["argv"])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "release":
            changed = release(args.assignments or None)
            print("\n".join(f"updated {c}" for c in changed) or "notebooks/ already up to date")
            return 0
        if args.command == "override":
            return _override(args)
        out = (args.out or default_out()).resolve()
        options = Options(workers=args.workers, scheduler=args.scheduler, cell_timeout=args.cell_timeout,
                          sandbox=not args.no_sandbox, warm=not args.cold, db_url=args.db_url, progress=not args.quiet,
                          limits=Limits(memory_mb=args.memory_mb, notebook_seconds=args.notebook_timeout),
                          canvas_roster=args.canvas_roster, canvas_match=args.canvas_match, moodle=args.moodle,
                          moodle_roster=args.moodle_roster, moodle_identifier=args.moodle_identifier,
                          missing_grade=args.missing_grade, compare_answers=not args.no_similarity,
                          similarity_threshold=args.similarity_threshold, policy=args.policy,
                          extensions=args.extensions, learners=tuple(args.learner),
                          assignments=tuple(args.assignment))
        grades = grade_cohort(args.submissions, out, options)
        # What `override` runs again to rebuild: this command, without the regrade selection.
        last = {"cwd": os.getcwd(), "argv": _rebuild_argv(argv, out)}
        results.atomic_write(out / LAST_GRADE, json.dumps(last).encode())
        print(f"grades: {grades}\nfeedback: {out / 'feedback'}\nreport: {out / 'report.html'}\nfolder: {out}")
    except (NbgraderFailed, FileNotFoundError, ValueError, DatabaseError, ClusterError) as error:
        # ValueError includes deadlines.PolicyError and overrides.OverrideError
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _rebuild_argv(argv: list[str] | None, out: Path) -> list[str]:
    """The grade command as given, without --learner/--assignment, with --out made absolute."""
    given = list(sys.argv[1:] if argv is None else argv)
    kept, skip = [], False
    for arg in given:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in ("--learner", "--assignment", "--out"):
            skip = "=" not in arg
            continue
        kept.append(arg)
    return [*kept, "--out", str(out)]
