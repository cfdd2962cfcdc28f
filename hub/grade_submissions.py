"""Grade what the instructor collected from the exchange, with the course's grading command, and
stage the feedback where nbgrader's `release_feedback` picks it up.

Run in the instructor's server on the hub (a terminal, or `!` in a notebook), after collecting:

    python /path/to/course-repo/hub/grade_submissions.py 00_orientation [--release]

1. `python -m autograder grade ~/course/submitted --out ~/course/grading/<assignment>`: the
   course's parallel, sandboxed grading (grades.csv, feedback without hidden tests, report.html).
2. For every learner it graded, copy the feedback page to
   ~/course/feedback/<learner>/<assignment>/<notebook>.html together with the submission's
   timestamp.txt and submission_secret.txt (nbgrader names released feedback after a hash of
   the secret, so only the learner who submitted can find it in the exchange).
3. With --release, run `nbgrader release_feedback <assignment>` (formgrader's "release feedback"
   button does the same).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path


def default_course_dir() -> Path:
    return Path(os.environ.get("COURSE_HUB_COURSE_DIR") or Path.home() / "course")


def grade(assignment: str, course_dir: Path, workers: int = 0) -> Path:
    submitted = course_dir / "submitted"
    staged = course_dir / "grading" / f"{assignment}-submitted"
    out = course_dir / "grading" / assignment
    # Only this assignment's submissions: <learner>/<assignment>/*.ipynb
    shutil.rmtree(staged, ignore_errors=True)
    for folder in sorted(submitted.glob(f"*/{assignment}")):
        shutil.copytree(folder, staged / folder.parent.name / assignment,
                        ignore=shutil.ignore_patterns("*.txt", ".ipynb_checkpoints"))
    if not staged.exists():
        raise SystemExit(f"nothing collected for {assignment} in {submitted}")
    command = [sys.executable, "-m", "autograder", "grade", str(staged), "--out", str(out), "--quiet"]
    if workers:
        command += ["--workers", str(workers)]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=course_dir)
    return out


def stage_feedback(assignment: str, course_dir: Path, out: Path) -> list[str]:
    staged = []
    with (out / "grades.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == assignment]
    for row in rows:
        learner = row["learner_id"]
        page = out / "feedback" / learner / assignment / f"{assignment}.html"
        submission = course_dir / "submitted" / learner / assignment
        if not page.exists() or not (submission / "submission_secret.txt").exists():
            print(f"no feedback to stage for {learner} ({row['status']}: {row['reason']})")
            continue
        target = course_dir / "feedback" / learner / assignment
        target.mkdir(parents=True, exist_ok=True)
        for notebook in sorted(submission.glob("*.ipynb")):
            shutil.copyfile(page, target / f"{notebook.stem}.html")
        for name in ("timestamp.txt", "submission_secret.txt"):
            shutil.copyfile(submission / name, target / name)
        staged.append(learner)
        print(f"{learner}: {row['score']}/{row['max_score']} ({row['status']})")
    return staged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", type=Path, default=default_course_dir())
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--release", action="store_true", help="then run nbgrader release_feedback")
    args = parser.parse_args(argv)
    out = grade(args.assignment, args.course_dir, args.workers)
    staged = stage_feedback(args.assignment, args.course_dir, out)
    print(f"feedback staged for {len(staged)} learner(s) in {args.course_dir / 'feedback'}")
    if args.release:
        subprocess.run([sys.executable, "-m", "nbgrader", "release_feedback", args.assignment],
                       check=True, cwd=args.course_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
