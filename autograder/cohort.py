"""Grade a whole cohort with one command: every submission through the steps in this folder.

1. **Intake** (``intake.py``): a folder or zip becomes submissions, each mapped to its assignment
   by its cells' nbgrader ids; files that cannot be graded get an ``invalid`` result at once.
2. **Scheduling** (``scheduling.py``): every other submission whose result is not already kept
   (same bytes, same course sources) becomes one Dask task, on a local cluster or the
   instructor's (``--scheduler``).
3. **Worker** (``worker.py``): wherever a task lands, nbgrader grades it against that machine's
   template (``template.py``), learner code in a sandboxed kernel.
4. **Results** (``results.py``): each result is recorded in ``OUT`` atomically as it comes back,
   so a run killed half-way is finished by running the same command again.
5. **Merge** (``merge.py``) and **report** (``report.py``): the gradebook (or ``--db-url``), nbgrader's
   CSV, grades.csv, competencies, the LMS import files asked for (``lms.py``), the answers compared
   between learners (``similarity.py``) and the instructor report, rebuilt from all results every run.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import json
import os
import sys
import threading
import time
from pathlib import Path

import nbformat
import tqdm

from autograder import course, deadlines, exam_stats, lms, merge, overrides, results, sandbox, similarity
from autograder.intake import Submission, collect
from autograder.report import RunFacts, SimilarityFacts, write_report
from autograder.results import Settings
from autograder.sandbox import Limits
from autograder.scheduling import Cluster
from autograder.template import Template


@dataclasses.dataclass
class Options:
    workers: int = 0                  # local cluster: worker processes (0: one per core)
    scheduler: str | None = None      # tcp://host:8786: an existing Dask cluster instead
    cell_timeout: int | None = None   # None: the course's CELL_TIMEOUT
    sandbox: bool = True
    warm: bool = True                 # kernels forked from a warm template (False: a new interpreter each)
    db_url: str | None = None
    limits: Limits = dataclasses.field(default_factory=Limits)
    progress: bool = True
    canvas_roster: Path | None = None           # Canvas' gradebook export, filled in as OUT/lms/canvas-import.csv
    canvas_match: str = "SIS Login ID"          # its column that holds the learner ids
    moodle: bool = False                        # also OUT/lms/moodle-import.csv
    moodle_roster: Path | None = None           # Moodle's gradebook export: exactly its learners are written
    moodle_identifier: str = "username"         # Moodle's user field the learner ids are
    missing_grade: lms.Missing = "empty"        # what a roster learner without a submission gets
    compare_answers: bool = True                # OUT/similarity.html: similar answers between learners
    similarity_threshold: float = similarity.THRESHOLD
    policy: Path | None = None                  # late policy (TOML); None: course.LATE_POLICY when it exists
    extensions: Path | None = None              # per-learner extensions (CSV)
    learners: tuple[str, ...] = ()              # regrade only these learners' submissions (an existing OUT)
    assignments: tuple[str, ...] = ()           # regrade only these assignments' submissions

    @property
    def regrade(self) -> bool:
        return bool(self.learners or self.assignments)


def default_out() -> Path:
    return Path(f"grading-{dt.datetime.now():%Y%m%d-%H%M%S}")


def _start_in_background(work) -> threading.Thread:
    """``work`` in a thread of low CPU priority (Linux gives each thread its own nice value): it
    takes what the grading workers and their kernels leave of this machine's cores."""

    def run() -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        work()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _lms_files(everything: list[results.Result], out: Path, options: Options,
               canvas: lms.CanvasRoster | None) -> list[lms.LmsExport]:
    """The LMS import files asked for; what fits nowhere is said on the terminal (and in the report)."""
    exports = []
    if canvas is not None:
        exports.append(lms.write_canvas(canvas, everything, out / "lms" / "canvas-import.csv", options.missing_grade))
    if options.moodle or options.moodle_roster:
        exports.append(lms.write_moodle(everything, out / "lms" / "moodle-import.csv", options.moodle_identifier,
                                        options.moodle_roster, options.missing_grade))
    for export in exports:
        if export.unmatched:
            print(f"{export.path.name}: {len(export.unmatched)} submission(s) match nobody in the roster, not "
                  "written: " + ", ".join(f"{r.learner} ({r.assignment})" for r in export.unmatched),
                  file=sys.stderr)
        if export.other_attempts:
            print(f"{export.path.name}: the best mock exam attempt of each learner is written; "
                  f"{len(export.other_attempts)} other attempt(s) are not (the report lists them)")
        if export.no_column:
            print(f"{export.path.name}: no column for {', '.join(export.no_column)} in the roster; those grades "
                  "are not in it", file=sys.stderr)
    return exports


def _similar_answers(found: list[Submission], out: Path, threshold: float) -> SimilarityFacts:
    """Every assignment's answers compared between learners; the pairs flagged go to similarity.html."""
    pairs: list[similarity.SimilarPair] = []
    answers: similarity.Answers = {}
    for assignment in course.assignments():
        submitted = {s.learner: s.path.read_bytes() for s in found
                     if s.assignment == assignment and s.status != "invalid"}
        if len(submitted) < 2:
            continue
        release = nbformat.read(str(course.RELEASE / assignment / f"{assignment}.ipynb"), as_version=4)
        compared = similarity.answers_by_cell(submitted, release)  # read once: compared, then shown
        pairs += similarity.compare_answers(assignment, compared, similarity.answer_cells(release), threshold)
        answers.update(compared)
    page = similarity.write_similarity_page(pairs, answers, out / similarity.PAGE, threshold)
    flagged = collections.Counter(p.assignment for p in pairs if p.score >= threshold)
    return SimilarityFacts(page=page, flagged=dict(flagged), answers=sum(len(a) for a in answers.values()),
                           threshold=threshold)


def _policy(options: Options) -> deadlines.Policy | None:
    """The late policy: ``--policy``, else the course's file when there is one."""
    chosen = options.policy or (course.LATE_POLICY if course.LATE_POLICY.exists() else None)
    return deadlines.read_policy(chosen, course.assignments()) if chosen else None


def _selected(found: list[Submission], out: Path, options: Options) -> list[Submission]:
    """The submissions ``--learner``/``--assignment`` ask to regrade (learners OR'd, assignments
    OR'd, the two AND'd), after checking that they name something in this OUT."""
    if not any(results.results_dir(out).glob("*.json")):
        raise ValueError(f"--learner/--assignment regrade submissions already graded in an OUT folder, and {out} "
                         "holds none: grade the cohort first (the same command without them)")
    learners = {s.learner for s in found}
    if unknown := sorted(set(options.learners) - learners):
        raise ValueError(f"--learner {', '.join(unknown)}: no submission from them in this folder; learner ids "
                         f"are as in grades.csv (here: {', '.join(sorted(learners)[:20])}"
                         f"{', ...' if len(learners) > 20 else ''})")
    if unknown := sorted(set(options.assignments) - set(course.assignments())):
        raise ValueError(f"--assignment {', '.join(unknown)}: no such assignment; the course has "
                         f"{', '.join(course.assignments())}")
    chosen = [s for s in found if s.status != "invalid"
              and (not options.learners or s.learner in options.learners)
              and (not options.assignments or s.assignment in options.assignments)]
    if not chosen:
        raise ValueError("--learner/--assignment: none of those learners submitted those assignments")
    return chosen


def _adjusted(everything: list[results.Result], found: list[Submission], policy: deadlines.Policy | None,
              extensions: list[deadlines.Extension], decided: list[results.Override]) -> list[results.Result]:
    """The recorded results with the instructor's overrides and the late policy applied."""
    everything = overrides.apply(everything, decided)
    if policy is None:
        return everything
    times = {s.key: s.submitted for s in found}
    unknown = deadlines.SubmittedTime(at=None, source="", canvas_late=None, problem="no submission time")
    return [dataclasses.replace(r, late=deadlines.lateness(policy, extensions, r.learner, r.assignment,
                                                           times.get(r.key) or unknown, r.max_score))
            for r in everything]


def _warn(message: str) -> None:
    banner = "!" * 78
    print(f"{banner}\nWARNING: {message}\n{banner}", file=sys.stderr)


def grade_cohort(submissions: Path, out: Path, options: Options | None = None) -> Path:
    """Grade every submission in ``submissions`` into ``out``; returns ``out / 'grades.csv'``.

    Raises ``FileNotFoundError``/``ValueError`` for unusable input (an LMS roster included:
    ``lms.RosterError`` names its line), ``merge.DatabaseError`` for an unusable ``db_url`` and
    ``scheduling.ClusterError`` for an unreachable scheduler, all three before anything is written
    to ``out``; ``ClusterError`` also when a worker refuses the run's
    tasks or the scheduler is lost, and ``DatabaseError`` when the merge fails: then every result
    graded so far is kept in ``out``, and the same command finishes the run.
    """
    options = options or Options()
    out, submissions = Path(out).resolve(), Path(submissions).resolve()
    phases: dict[str, float] = {}
    clock = time.monotonic()
    if options.db_url:
        merge.check_database(options.db_url)
    canvas = lms.read_canvas_roster(options.canvas_roster, options.canvas_match) if options.canvas_roster else None
    if options.moodle_roster:
        lms.check_moodle_roster(options.moodle_roster, options.moodle_identifier)
    policy = _policy(options)
    sandboxed = options.sandbox
    if options.sandbox and not options.scheduler and (why := sandbox.probe()):
        sandboxed = False  # remote workers check for themselves, and refuse rather than run unconfined
        _warn(f"learner code will run WITHOUT the sandbox: {why}.\nIt runs with your rights, network and "
              "files. Grade untrusted submissions only where the sandbox works (Linux, root, bubblewrap).")
    elif not options.sandbox:
        _warn("learner code will run WITHOUT the sandbox (--no-sandbox): only for trusted notebooks.")
    settings = Settings(cell_timeout=options.cell_timeout or Settings.cell_timeout, limits=options.limits,
                        sandbox=sandboxed, hidden=(str(out), str(submissions)), warm=options.warm)

    with contextlib.ExitStack() as stack:
        # An instructor's cluster is reached before anything is written; a local one starts only
        # when there is something to grade.
        cluster = stack.enter_context(Cluster(options.scheduler)) if options.scheduler else None
        work = out / ".work"
        found = collect(submissions, work, policy.timezone if policy else deadlines.UTC_ZONE)
        # The instructor's files are checked against this run's learners before anything is graded.
        roster = set(canvas.learners.values()) if canvas is not None else set()
        extensions = (deadlines.read_extensions(options.extensions, policy, {s.learner for s in found} | roster)
                      if options.extensions and policy else [])
        if options.extensions and policy is None:
            raise ValueError(f"--extensions {options.extensions}: extensions move due dates, and there is no late "
                             f"policy (give --policy, or write {course.LATE_POLICY})")
        decided = overrides.read(out, {(s.learner, s.assignment) for s in found})
        selected = _selected(found, out, options) if options.regrade else None
        for s in found:
            if s.status == "invalid":  # no nbgrader needed: recorded at once (same bytes, same result)
                results.record(out, s.invalid())
        if selected is not None:  # a regrade: just those, kept or not; everything else stays as it is
            todo = selected
        else:
            todo = [s for s in found
                    if s.status != "invalid" and not results.kept(out, s.learner, s.assignment, s.digest)]
        phases["collect"] = time.monotonic() - clock
        started = time.monotonic()
        workers, dashboard = set(), ""
        if todo:
            if cluster is None:
                cluster = stack.enter_context(Cluster(None, min(options.workers or os.cpu_count() or 1, len(todo))))
            if not options.db_url:
                # The merged gradebook's template, written while the workers grade (the client only
                # waits for results meanwhile), so the merge finds it ready; in the background, as it
                # is needed only then. Started once the local workers exist: nbgrader changes this
                # process's directory while it writes.
                gradable = sorted({s.assignment for s in found if s.status != "invalid"})
                stack.callback(threading.Thread.join, _start_in_background(Template(*gradable).ready))
            dashboard = cluster.dashboard
            if options.progress:
                print(f"grading {len(todo)} submissions on {options.scheduler or 'a local cluster'}; "
                      f"Dask dashboard: {dashboard}", file=sys.stderr)
            with tqdm.tqdm(total=len(todo), unit="submission", desc="grading", disable=not options.progress,
                           file=sys.stderr, dynamic_ncols=True) as bar:
                for graded in cluster.grade(s.task(settings) for s in todo):
                    result = results.record(out, graded)
                    workers.add(result.worker)
                    bar.set_postfix_str(f"{result.learner} {result.status}", refresh=False)
                    bar.update(1)
        phases["grading"] = time.monotonic() - started
        # The cluster shuts down (half a second) while the results are merged.
        closing = _start_in_background(stack.pop_all().close)

    clock = time.monotonic()
    try:
        everything = _adjusted(results.load(out, {s.key for s in found}), found, policy, extensions, decided)
        duedates = {a: p.due for a, p in policy.assignments.items()} if policy else None
        merge.merge_gradebook(everything, out, options.db_url, duedates)
        grades = merge.write_tables(everything, out)
        exports = _lms_files(everything, out, options, canvas)
        similar = _similar_answers(found, out, options.similarity_threshold) if options.compare_answers else None
        run = RunFacts(graded_now=len(todo), workers=len(workers - {""}),
                       scheduler=options.scheduler or "a local cluster", dashboard=dashboard, sandbox=sandboxed)
        exam = exam_stats.exam_facts(everything, {s.key: s.path.read_bytes() for s in found
                                                  if s.assignment == exam_stats.exam_assignment()})
        for learner, page in (exam.pages if exam else {}).items():
            results.atomic_write(exam_stats.readiness_page_path(out, learner), page.encode())
        write_report(everything, out, run, exports, similar, overrides.superseded(decided), exam)
    finally:
        closing.join()  # the cluster is down before anything, an error included, leaves this function
    phases["merge_and_report"] = time.monotonic() - clock
    now = [r for r in everything if r.key in {s.key for s in todo}]
    stats = {"submissions": len(found), "graded_now": len(todo), "workers": run.workers,
             "wall_seconds": phases["grading"],
             "execution_seconds": sum(r.execution_seconds for r in now),
             "autograde_seconds": sum(r.seconds for r in now),
             "feedback_seconds": sum(r.feedback_seconds for r in now),
             "kernel_start_seconds": sum(r.kernel_start_seconds for r in now),
             "first_cell_seconds": sum(r.first_cell_seconds for r in now),
             "phases": phases, "sandbox": sandboxed, "warm": sandboxed and options.warm,
             "scheduler": options.scheduler or "local"}
    work.mkdir(parents=True, exist_ok=True)
    (work / "last_run.json").write_text(json.dumps(stats, indent=1))
    return grades
