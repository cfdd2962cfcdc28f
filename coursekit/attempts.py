"""Timed attempts at the mock exam (module 09), on the learner's own machine.

A learner starts an attempt with ``make exam LEARNER=<id>`` (``python -m coursekit.attempts start
--learner <id>``) or ``start_attempt("<id>")`` in a notebook. That writes a fresh paper,
``<work>/09_mock_exam/attempt-<N>/09_mock_exam.ipynb`` (the released notebook with ``LEARNER_ID`` and
``ATTEMPT`` filled in, so it shows the items ``coursekit.exam.ExamPaper(id, N)`` draws), and records
the start in the attempt log. The notebook shows a countdown (``countdown``) with a *Finish attempt*
button that records the finish, and ends with a practice self-check (``self_check``).

The attempt log, ``<work>/.exam/attempts.json`` (``<work>`` is ``my-work`` unless an argument or the
``COURSEKIT_WORK`` environment variable says otherwise; never inside the repository), is a JSON
object whose ``entries`` list only grows: one entry per event (``start``, ``finish``, ``abandon``,
``self-check``), each holding the sha256 digest of the entry before it and its own digest (over its
content and that link). ``attempts()`` folds the entries into one typed ``Attempt`` per attempt. Next
to it, ``attempts.head`` holds the number of entries and the last digest (so entries cut off the end
are noticed) and ``attempts.json.bak`` the log as it was before its last change (to restore from).

What the chain is for: it detects accidents (a truncated or half-written file, a restored old copy)
and naive hand edits (a start time moved, an attempt deleted), and says so with a message that tells
the learner how to recover. It does not stop a determined learner: there is no secret on the
learner's machine, so anyone can recompute every digest after an edit. The log is the learner's own
record of practice; what counts for a grade is the instructor's grading of the submitted notebook
(nbgrader, hidden tests). For the grader, each attempt identifies itself: its notebook's metadata
``metadata.course.attempt`` holds the start (learner, attempt, started_at, time_limit_minutes, items,
digest), written before the notebook is opened so every save keeps it, and ``attempt.json`` beside the
notebook the same summary once finished (finished_at, over_time_seconds).

After a scored attempt (issue 17): an attempt is scored by its first self-check (``attempt_scores``
turns the log into ``coursekit.readiness.AttemptScore``s: per competency, the earned and possible
points of the sections the self-check scores). Each recorded self-check (re)writes the readiness page
``<work>/.exam/readiness-<learner>.html`` (``update_progress``; ``make readiness`` does the same), shows
it in the notebook, and counts the attempt, once, in the review deck ``<work>/.exam/review-<learner>.json``
(``coursekit.review``). What is due for review is printed when the next attempt starts (``make exam``,
``new_attempt``) and above its countdown; a notebook that is no timed attempt (the grader's) shows none
of it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import product
from pathlib import Path

from coursekit.exam import ASSIGNMENT, ExamPaper, normalise_id, resolve_learner_id
from coursekit.exam_bank import CLASSIFY_SETTINGS, GRAY_SETTINGS, SCENARIOS, SLOTS
from coursekit.practice_digests import COMPUTED, check_section, unpack
from coursekit.readiness import PASS_MARK, AttemptScore, overall_verdict, readiness, readiness_page, show_readiness
from coursekit.review import ReviewDeck, state_name

# The course's one time limit for an attempt of the mock exam, in minutes.
TIME_LIMIT_MINUTES = 60
DEFAULT_WORK = "my-work"
WORK_ENV = "COURSEKIT_WORK"
LOG_FOLDER = ".exam"
LOG_NAME = "attempts.json"
LOG_FORMAT = "coursekit attempt log, version 1"
# The ids a gradebook (nbgrader, an LMS) can hold, after normalise_id (stripped, case-folded).
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
REPO = Path(__file__).resolve().parent.parent
RELEASED_EXAM = REPO / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
ATTEMPT_FOLDER = re.compile(r"^attempt-(\d+)$")


class AttemptError(ValueError):
    """Something about an attempt that the learner must put right; the message says how."""


class LogDamaged(AttemptError):
    """The attempt log is not as this module wrote it."""


class ClockBackwards(AttemptError):
    """The computer's clock reads earlier than a time already in the log."""


# Time ----------------------------------------------------------------------------------------------
def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _shown(text: str) -> str:
    return _parse(text).strftime("%Y-%m-%d %H:%M:%S UTC")


def _mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


# Ids and places --------------------------------------------------------------------------------------
def check_learner_id(value: object) -> str:
    """The learner id as the exam uses it (``normalise_id``), or AttemptError if a gradebook cannot hold it."""
    learner = normalise_id(value)
    if not learner or not ID_PATTERN.match(learner):
        shown = "an empty id" if not learner else repr(learner)
        raise AttemptError(
            f"Unknown learner id: {shown}. Use the id your instructor gave you: letters and digits, then "
            "letters, digits or . _ @ + - (for example jdoe42), as in `make exam LEARNER=jdoe42`."
        )
    return learner


def work_folder(work: str | os.PathLike | None = None) -> Path:
    """The learner's working copy: ``work``, else $COURSEKIT_WORK, else ``my-work``."""
    return Path(work if work is not None else os.environ.get(WORK_ENV) or DEFAULT_WORK)


def log_path(work: str | os.PathLike | None = None) -> Path:
    return work_folder(work) / LOG_FOLDER / LOG_NAME


def attempt_notebook(work: Path, attempt: int) -> Path:
    return work / ASSIGNMENT / f"attempt-{attempt}" / f"{ASSIGNMENT}.ipynb"


# The log ------------------------------------------------------------------------------------------------
def _digest(entry: Mapping) -> str:
    content = {key: value for key, value in entry.items() if key != "digest"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Attempt:
    """One attempt, as the log records it."""

    learner: str
    attempt: int
    started_at: str
    time_limit_minutes: int
    items: dict[str, str]
    notebook: str
    finished_at: str | None = None
    abandoned_at: str | None = None
    self_check: dict[str, dict[str, float]] = field(default_factory=dict)  # the latest self-check
    score: dict[str, dict[str, float]] = field(default_factory=dict)  # the first self-check: the attempt's score
    scored_at: str | None = None  # when the first self-check was recorded
    digest: str = ""  # of the last entry about this attempt

    def __repr__(self) -> str:
        # Short: a notebook cell that ends in new_attempt(...) shows this under the printed sentence.
        state = ("open" if self.open else f"finished {self.finished_at}" if self.finished_at
                 else f"abandoned {self.abandoned_at}")
        return f"<attempt {self.attempt} of {self.learner!r}, started {self.started_at}, {state}>"

    @property
    def open(self) -> bool:
        return self.finished_at is None and self.abandoned_at is None

    def elapsed_seconds(self, now: datetime | None = None) -> int:
        end = _parse(self.finished_at) if self.finished_at else (now or utc_now())
        return int((end - _parse(self.started_at)).total_seconds())

    def over_time_seconds(self, now: datetime | None = None) -> int:
        return max(0, self.elapsed_seconds(now) - 60 * self.time_limit_minutes)

    @property
    def over_time(self) -> bool:
        return self.finished_at is not None and self.over_time_seconds() > 0

    def summary(self) -> dict:
        """What the attempt's notebook carries in ``metadata.course.attempt`` (for the grader)."""
        return {
            "learner": self.learner,
            "attempt": self.attempt,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "time_limit_minutes": self.time_limit_minutes,
            "over_time_seconds": self.over_time_seconds() if self.finished_at else None,
            "items": dict(self.items),
            "digest": self.digest,
        }


class AttemptLog:
    """The append-only, hash-chained attempt log of one working copy."""

    def __init__(self, work: str | os.PathLike | None = None):
        self.work = work_folder(work)
        self.path = self.work / LOG_FOLDER / LOG_NAME
        self.head_path = self.path.with_name("attempts.head")
        self.backup_path = self.path.with_name(LOG_NAME + ".bak")

    # reading ----------------------------------------------------------------------------------
    def _recovery(self) -> str:
        restore = f"restore it from {self.backup_path} (the log before its last change)" if self.backup_path.exists() \
            else "restore it from a backup"
        return (
            f"{restore}, or start over with `python -m coursekit.attempts reset --work {self.work}` (the damaged "
            "log is kept beside it, and your attempt notebooks stay where they are). The log is your own record of "
            "practice; your instructor grades the notebooks you submit."
        )

    def entries(self) -> list[dict]:
        """Every entry, after checking the whole chain; LogDamaged with a clear message otherwise."""
        if not self.path.exists():
            if self.head_path.exists():
                raise LogDamaged(f"The attempt log {self.path} is missing, but {self.head_path} says it had "
                                 f"entries: {self._recovery()}")
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["entries"]
            assert data.get("format") == LOG_FORMAT and isinstance(entries, list)
        except (ValueError, KeyError, TypeError, AssertionError, UnicodeDecodeError):
            raise LogDamaged(
                f"The attempt log {self.path} is damaged (not the complete JSON this course writes: cut short, or "
                f"edited by hand): {self._recovery()}"
            ) from None
        previous = ""
        for position, entry in enumerate(entries, start=1):
            where = (f"entry {position} (attempt {entry.get('attempt')} of {entry.get('learner')!r})"
                     if isinstance(entry, dict) else f"entry {position}")
            intact = isinstance(entry, dict) and entry.get("previous") == previous
            if not intact or entry.get("digest") != _digest(entry):
                raise LogDamaged(f"The attempt log {self.path} was edited by hand at {where}: its content no longer "
                                 f"matches its digest. To go on, {self._recovery()}")
            previous = entry["digest"]
        if self.head_path.exists():
            count, _, last = self.head_path.read_text().strip().partition(" ")
            if count != str(len(entries)) or last != previous:
                raise LogDamaged(
                    f"The attempt log {self.path} holds {len(entries)} entries, but it held {count} when it was "
                    f"last written (entries were removed, or an older copy was put back). To go on, {self._recovery()}"
                )
        return entries

    def attempts(self, learner: str | None = None) -> list[Attempt]:
        """The attempts of the log (of one learner), in the order they were started."""
        found: dict[tuple[str, int], Attempt] = {}
        for entry in self.entries():
            key = (entry["learner"], entry["attempt"])
            if entry["event"] == "start":
                found[key] = Attempt(entry["learner"], entry["attempt"], entry["at"], entry["time_limit_minutes"],
                                     dict(entry["items"]), entry["notebook"])
            elif key in found:
                record = found[key]
                if entry["event"] == "finish":
                    record.finished_at = entry["at"]
                elif entry["event"] == "abandon":
                    record.abandoned_at = entry["at"]
                elif entry["event"] == "self-check":
                    record.self_check = entry["results"]
                    if record.scored_at is None:
                        record.score, record.scored_at = entry["results"], entry["at"]
            if key in found:
                found[key].digest = entry["digest"]
        return [a for a in found.values() if learner is None or a.learner == normalise_id(learner)]

    def attempt(self, learner: str, attempt: int) -> Attempt | None:
        return next((a for a in self.attempts(learner) if a.attempt == int(attempt)), None)

    # writing --------------------------------------------------------------------------------------
    def check_clock(self, now: datetime, entries: list[dict] | None = None) -> None:
        entries = self.entries() if entries is None else entries
        if entries and now < _parse(entries[-1]["at"]):
            raise ClockBackwards(
                f"Your computer's clock reads {_iso(now)}, earlier than {entries[-1]['at']}, a time already in your "
                f"attempt log ({self.path}). Set the clock right (automatic date and time), then try again; nothing "
                "was recorded."
            )

    def append(self, event: str, learner: str, attempt: int, now: datetime, **content) -> dict:
        """Append one entry (after checking the chain and the clock), atomically; returns it."""
        entries = self.entries()
        self.check_clock(now, entries)
        entry = {"event": event, "learner": learner, "attempt": attempt, "at": _iso(now), **content,
                 "previous": entries[-1]["digest"] if entries else ""}
        entry["digest"] = _digest(entry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            shutil.copyfile(self.path, self.backup_path)
        text = json.dumps({"format": LOG_FORMAT, "entries": [*entries, entry]}, indent=1, ensure_ascii=False)
        _atomic_write(self.path, text + "\n")
        _atomic_write(self.head_path, f"{len(entries) + 1} {entry['digest']}\n")
        return entry

    def reset(self, now: datetime | None = None) -> Path | None:
        """Move the log (damaged or not) aside, keeping it; the next attempt starts a new log."""
        if not self.path.exists() and not self.head_path.exists():
            return None
        kept = self.path.with_name(f"attempts.damaged-{(now or utc_now()).strftime('%Y%m%dT%H%M%SZ')}.json")
        if self.path.exists():
            self.path.replace(kept)
        self.head_path.unlink(missing_ok=True)
        return kept


def _atomic_write(path: Path, text: str) -> None:
    scratch = path.with_name(path.name + ".writing")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


# Starting and finishing -------------------------------------------------------------------------------
def _check_hub(learner: str) -> None:
    hub = normalise_id(os.environ.get("JUPYTERHUB_USER", ""))
    if hub and hub != learner:
        raise AttemptError(f"On JupyterHub your paper is drawn for your user name {hub!r}: start the attempt with "
                           f"that id (`make exam LEARNER={hub}`), not {learner!r}.")


def _next_number(work: Path, attempts: list[Attempt]) -> int:
    """One more than any attempt in the log or in an attempt folder (a reset log never reuses a folder)."""
    folders = work / ASSIGNMENT
    on_disk = [int(m.group(1)) for p in folders.glob("attempt-*") if (m := ATTEMPT_FOLDER.match(p.name))] \
        if folders.exists() else []
    return max([0, *on_disk, *(a.attempt for a in attempts)]) + 1


def _fill_paper_cell(notebook: dict, learner: str, attempt: int) -> None:
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and re.match(r"\s*LEARNER_ID\s*=", source):
            cell["source"] = f'LEARNER_ID = "{learner}"  # filled in by `make exam`: this attempt\'s paper\n' \
                             f"ATTEMPT = {attempt}  # a new attempt: `make exam LEARNER={learner}`\n"
            return
    raise AttemptError("The exam notebook has no cell that sets LEARNER_ID: regenerate it (`make release`).")


SUMMARY_NAME = "attempt.json"


def _write_summary(work: Path, record: Attempt) -> None:
    """The finished attempt's summary, beside its notebook (``attempt-<N>/attempt.json``).

    Not into the notebook itself: it is open in JupyterLab when Finish is pressed, and a file changed
    under an open notebook makes JupyterLab ask, at the next save, whether to overwrite it or revert
    (losing the summary or the unsaved answers). The notebook's metadata (``metadata.course.attempt``)
    holds the summary written at the start, before it was opened, which every save keeps."""
    folder = (work / record.notebook).parent
    if folder.exists():
        _atomic_write(folder / SUMMARY_NAME, json.dumps(record.summary(), indent=1) + "\n")


def start_attempt(learner: object, work: str | os.PathLike | None = None, *, abandon: bool = False,
                  now: datetime | None = None, template: Path = RELEASED_EXAM) -> Attempt:
    """Start the learner's next attempt: write its notebook, record the start; returns the attempt
    (``work / attempt.notebook`` is the notebook to open). ``abandon`` first closes an attempt still open."""
    learner = check_learner_id(learner)
    _check_hub(learner)
    log, now = AttemptLog(work), now or utc_now()
    entries = log.entries()
    log.check_clock(now, entries)
    attempts = log.attempts(learner)
    still_open = [a for a in attempts if a.open]
    if still_open and not abandon:
        a = still_open[-1]
        raise AttemptError(
            f"Attempt {a.attempt} of {learner!r} (started {a.started_at}) is still open: finish it with the *Finish "
            f"attempt* button in {log.work / a.notebook} (or `python -m coursekit.attempts finish --learner {learner} "
            f"--attempt {a.attempt}`), or give it up with `make exam LEARNER={learner} ABANDON=1` (--abandon)."
        )
    for a in still_open:
        log.append("abandon", learner, a.attempt, now)
    number = _next_number(log.work, attempts)
    paper = ExamPaper(learner, number)
    notebook_path = attempt_notebook(log.work, number)
    notebook = json.loads(Path(template).read_text(encoding="utf-8"))
    _fill_paper_cell(notebook, learner, number)
    notebook_path.parent.mkdir(parents=True, exist_ok=True)
    items = {slot: item.id for slot, item in paper.items.items()}
    relative = notebook_path.relative_to(log.work).as_posix()
    entry = log.append("start", learner, number, now, time_limit_minutes=TIME_LIMIT_MINUTES, items=items,
                       notebook=relative)
    record = Attempt(learner, number, entry["at"], TIME_LIMIT_MINUTES, items, relative, digest=entry["digest"])
    notebook.setdefault("metadata", {}).setdefault("course", {})["attempt"] = record.summary()
    _atomic_write(notebook_path, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return record


def finish_attempt(learner: object, attempt: object, work: str | os.PathLike | None = None, *,
                   now: datetime | None = None) -> Attempt:
    """Record the finish of an open attempt (once), and its summary beside the attempt's notebook."""
    learner = check_learner_id(learner)
    attempt = int(attempt)
    log, now = AttemptLog(work), now or utc_now()
    record = log.attempt(learner, attempt)
    if record is None:
        raise AttemptError(f"Attempt {attempt} of {learner!r} is not in your attempt log {log.path}: start attempts "
                           f"with `make exam LEARNER={learner}`.")
    if record.finished_at:
        raise AttemptError(f"Attempt {attempt} of {learner!r} was already finished at {record.finished_at}; it is "
                           "recorded once, and this second finish changed nothing.")
    if record.abandoned_at:
        raise AttemptError(f"Attempt {attempt} of {learner!r} was abandoned at {record.abandoned_at}; start a new one "
                           f"with `make exam LEARNER={learner}`.")
    entry = log.append("finish", learner, attempt, now, over_time_seconds=max(
        0, int((now - _parse(record.started_at)).total_seconds()) - 60 * record.time_limit_minutes))
    record.finished_at, record.digest = entry["at"], entry["digest"]
    _write_summary(log.work, record)
    return record


def review_first(learner: str, work: str | os.PathLike | None = None, now: datetime | None = None) -> str:
    """At the top of an attempt: the line naming what is due for review (every scored attempt of the
    learner counted in the deck first), or "" when nothing is."""
    learner = check_learner_id(learner)
    return due_line(review_deck(learner, work, now).due(now or utc_now()), learner)


def new_attempt(learner_id: object, *, abandon: bool = False, cwd: Path | None = None,
                now: datetime | None = None) -> Attempt | None:
    """``start_attempt`` from a notebook: the working copy is the folder above this notebook's module
    folder, and a refusal is printed as a sentence (no traceback). Prints what is due for review first."""
    here = Path.cwd() if cwd is None else Path(cwd)
    work = here.parent.parent if ATTEMPT_FOLDER.match(here.name) else here.parent \
        if here.name == ASSIGNMENT else None
    now = now or utc_now()
    try:
        record = start_attempt(learner_id, work, abandon=abandon, now=now)
    except AttemptError as error:
        print(f"✗ {error}")
        return None
    path = work_folder(work) / record.notebook
    print(f"Attempt {record.attempt} started at {record.started_at} ({record.time_limit_minutes} minutes): open "
          f"{os.path.relpath(path, here)} in the file browser (in {path.parent}).")
    if due := review_first(record.learner, work, now):
        print(due)
    return record


# The countdown ------------------------------------------------------------------------------------------
def _attempt_work(cwd: Path) -> Path | None:
    """The working copy of an attempt notebook run in ``<work>/09_mock_exam/attempt-<N>/``, if it has a log."""
    if ATTEMPT_FOLDER.match(cwd.name) and cwd.parent.name == ASSIGNMENT:
        work = cwd.parent.parent
        if (work / LOG_FOLDER / LOG_NAME).exists():
            return work
    return None


_RUNNING: dict[tuple[str, int], Countdown] = {}


class Countdown:
    """The time left in an attempt, with a *Finish attempt* button.

    ``text(now)`` and ``finish(now)`` work headless; ``widget`` (ipywidgets) shows them, updated every
    second by a daemon thread that only sets the label's value (nothing is printed, nothing blocks)."""

    def __init__(self, learner: str, attempt: int, work: Path | None, clock: Callable[[], datetime] = utc_now):
        self.learner, self.attempt, self.work, self.clock = learner, attempt, work, clock
        self.message = ""
        self.record: Attempt | None = None
        self.review_due: list[str] = []  # competencies due for review at the start (countdown() fills it in)
        if work is not None:
            try:
                self.record = AttemptLog(work).attempt(learner, attempt)
            except AttemptError as error:
                self.message = str(error)
        self._stop = threading.Event()
        self._widget = None

    @property
    def timed(self) -> bool:
        return self.record is not None

    def text(self, now: datetime | None = None) -> str:
        record = self.record
        if record is None:
            return self.message or "Not a timed attempt (start one with `make exam LEARNER=<your id>`)."
        if record.abandoned_at:
            return f"Attempt {record.attempt}: abandoned at {_shown(record.abandoned_at)}."
        limit = 60 * record.time_limit_minutes
        if record.finished_at:
            over = record.over_time_seconds()
            return (f"Attempt {record.attempt} finished at {_shown(record.finished_at)} after "
                    f"{_mmss(record.elapsed_seconds())}"
                    + (f": over time by {_mmss(over)}." if over else ", within the time limit."))
        elapsed = record.elapsed_seconds(now or self.clock())
        if elapsed <= limit:
            return f"Attempt {record.attempt}: {_mmss(limit - elapsed)} left of {record.time_limit_minutes} minutes."
        return f"Attempt {record.attempt}: over time by {_mmss(elapsed - limit)}. Finish when you are ready."

    def finish(self, now: datetime | None = None) -> str:
        """Record the finish (once); returns what the widget shows."""
        if self.record is None or self.work is None:
            self.message = self.text()
        else:
            try:
                self.record = finish_attempt(self.learner, self.attempt, self.work, now=now or self.clock())
                self.message = self.text()
            except AttemptError as error:
                self.message = str(error)
        self._stop.set()
        self.update(now)
        return self.message

    # the widget ---------------------------------------------------------------------------------------
    def update(self, now: datetime | None = None) -> None:
        if self._widget is None:
            return
        label, button, status = self._widget.children
        label.value = f"<b>{self.text(now)}</b>"
        button.disabled = not (self.record and self.record.open)
        status.value = self.message if self.message != self.text(now) else ""

    @property
    def widget(self):
        if self._widget is None:
            import ipywidgets

            label = ipywidgets.HTML()
            button = ipywidgets.Button(description="Finish attempt", button_style="warning", icon="flag-checkered")
            button.on_click(lambda _button: self.finish())
            self._widget = ipywidgets.HBox([label, button, ipywidgets.HTML()])
            self._widget.add_class("coursekit-countdown")
            self.update()
        return self._widget

    def start_ticking(self, interval: float = 1.0) -> None:
        previous = _RUNNING.pop((self.learner, self.attempt), None)
        if previous is not None:
            previous._stop.set()
        _RUNNING[(self.learner, self.attempt)] = self

        def tick() -> None:
            while not self._stop.wait(interval):
                try:
                    self.update()
                except Exception:  # a closed comm or a stopped kernel: stop quietly (never on stderr)
                    return

        threading.Thread(target=tick, name="coursekit-countdown", daemon=True).start()


def countdown(learner_id: object = "", attempt: object = 1, *, cwd: Path | None = None,
              show: bool = True, now: datetime | None = None) -> Countdown:
    """The countdown of this notebook's attempt, shown at once (in a kernel), under one line naming what
    is due for review (``Countdown.review_due``), if anything is. A notebook that is no timed attempt (a
    copy outside ``<work>/09_mock_exam/attempt-<N>/``, or run by the grader) shows one line and does
    nothing else."""
    here = Path.cwd() if cwd is None else Path(cwd)
    learner, _source = resolve_learner_id(learner_id, cwd=here)
    try:
        number = int(attempt)
    except (TypeError, ValueError):
        number = 0
    clock = Countdown(learner, number, _attempt_work(here))
    if clock.timed and clock.record.open:
        try:
            clock.review_due = due_for_review(clock.learner, clock.work, now or clock.clock())
        except (OSError, ValueError):  # a schedule that cannot be read never stops the attempt
            clock.review_due = []
    if show:
        if clock.timed and clock.record.open:
            from IPython.display import display

            if clock.review_due:
                print(due_line(clock.review_due, clock.learner))
            display(clock.widget)
            clock.start_ticking()
        elif clock.timed:
            from IPython.display import display

            display(clock.widget)
        else:
            print(clock.text())
    return clock


# The practice self-check ----------------------------------------------------------------------------------
KEYS_PATH = Path(__file__).with_name("exam_practice_keys.json")
# Self-checked sections: slot -> (answer variable, competency, points as graded).
SELF_CHECKED = {
    "classify": ("mixed_labels", "classify-settings", 4.0),
    "scenarios": ("scenario_answers", "tuning-hygiene", 4.0),
    "gray": ("gray_exam_labels", "gray-areas", 3.0),
}
KDF_ITERATIONS = 50_000


def questions_of(item_id: str) -> list[str]:
    """The questions of a self-checked item, in the order its canonical answer lists them."""
    slot = next(slot for slot, s in SLOTS.items() if any(i.id == item_id for i in s.items))
    if slot == "classify":
        return list(CLASSIFY_SETTINGS[item_id])
    if slot == "gray":
        return list(GRAY_SETTINGS[item_id])
    return list(SCENARIOS[item_id])


def canonical_answer(item_id: str, answers: object) -> str:
    """A whole section's answer as one string: every question of the item with the answer given
    (labels lower-cased, letters upper-cased, surrounding spaces dropped)."""
    answers = answers if isinstance(answers, Mapping) else {}
    scenario = item_id.startswith("scenarios-")
    parts = []
    for question in questions_of(item_id):
        given = str(answers.get(question, "") if answers.get(question) is not None else "").strip()
        parts.append(f"{question}\t{given.upper() if scenario else given.lower()}")
    return "\n".join(parts)


def item_salt(item_id: str) -> bytes:
    return f"coursekit practice self-check/{ASSIGNMENT}/{item_id}".encode()


def answer_hash(item_id: str, canonical: str, iterations: int = KDF_ITERATIONS) -> str:
    return hashlib.pbkdf2_hmac("sha256", canonical.encode(), item_salt(item_id), iterations).hex()


def load_keys(path: Path = KEYS_PATH) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def self_check(namespace: Mapping, work: str | os.PathLike | None = None, *, cwd: Path | None = None,
               keys: Mapping | None = None, now: datetime | None = None,
               show: bool | None = None) -> dict[str, dict[str, float]]:
    """Score every section of the paper but the tuning task (Section 4), at once.

    ``namespace`` is the notebook's ``globals()`` (LEARNER_ID, ATTEMPT and the answers). Sections 1, 6 and
    7 (labels and letters, one key for every paper of an item) are each compared as a whole against
    salted, deliberately slow hashes of every accepted answer, so the keys file holds no answer, and the
    result is the section's points or nothing: a check of single items would let anyone read the
    three-label key out of the file (three hashes to try per item). The salt is the item's (the answers
    depend on the item, and one item appears on many papers; a salt of the learner id and attempt would
    add nothing, since the learner knows both). What is left: the small sections can still be found by
    trying every answer (Section 6: 4**4 = 256 tries, seconds; Section 7: 3**9 tries, minutes of
    computing), Section 1 (3**20) cannot in practice. That is acceptable for practice: the certification
    is graded by the instructor's hidden tests only, and a learner who brute forces a practice key learns
    what graded practice feedback would tell them anyway. Sections 2, 3 and 5 (counts, a penalty, a
    search budget: computed from the paper's numbers) are scored part by part, by the hidden tests'
    rules, against digests of every paper's answers (``coursekit.practice_digests``). The tuning task
    (Section 4) is graded by your instructor: its checks are about code.

    Returns ``{competency: {"earned": .., "possible": ..}}``. In a timed attempt it also records the result
    in the attempt log, (re)writes the readiness page ``<work>/.exam/readiness-<learner>.html`` (and shows
    it in the notebook: ``show``, by default when run in a kernel), and counts the attempt in the review
    deck ``<work>/.exam/review-<learner>.json`` (once: the attempt's first self-check is its score)."""
    here = Path.cwd() if cwd is None else Path(cwd)
    if here.parent.parent.name == "autograded":
        print("Self-check: skipped here, your instructor grades this notebook.")
        return {}
    keys = load_keys() if keys is None else keys
    learner, source = resolve_learner_id(namespace.get("LEARNER_ID", ""), cwd=here)
    paper = ExamPaper(learner, namespace.get("ATTEMPT", 1), source)
    results: dict[str, dict[str, float]] = {}
    lines = [f"Self-check of the paper of {paper.learner_id!r}, attempt {paper.attempt}:"]
    for slot in sorted(SLOTS, key=lambda name: SLOTS[name].section):
        item = paper.item(slot).id
        if slot not in SELF_CHECKED and slot not in COMPUTED:
            lines.append(f"- Section {SLOTS[slot].section} (the tuning task): graded by your instructor.")
            continue
        if slot in SELF_CHECKED:
            variable, competency, points = SELF_CHECKED[slot]
            canonical = canonical_answer(item, namespace.get(variable))
            right = answer_hash(item, canonical, keys["kdf"]["iterations"]) in set(keys["items"][item]["hashes"])
            earned = points if right else 0.0
            verdict = ("all right" if right else
                       "not all right yet (which ones is for you to find: that would be the key)")
        else:
            variable, competency, points = COMPUTED[slot].variable, COMPUTED[slot].competency, COMPUTED[slot].points
            checked = check_section(slot, paper, namespace.get(variable), unpack(keys["items"][item]["digests"]))
            earned = checked.earned
            verdict = "all right" if earned == points else f"{earned:g} of {points:g} points ({checked.message})"
        score = results.setdefault(competency, {"earned": 0.0, "possible": 0.0})
        score["earned"] += earned
        score["possible"] += points
        lines.append(f"- Section {SLOTS[slot].section} ({competency}), `{variable}`: {verdict}.")
    timed_work = work_folder(work) if work is not None else _attempt_work(here)
    progress = None
    if timed_work is not None and paper.learner_id and ID_PATTERN.match(paper.learner_id):
        log = AttemptLog(timed_work)
        record = log.attempt(paper.learner_id, paper.attempt)
        if record is not None:
            now = now or utc_now()
            log.append("self-check", paper.learner_id, paper.attempt, now, results=results)
            lines.append(f"Recorded in your attempt log ({log.path}).")
            if record.scored_at is not None:
                lines.append(f"Attempt {paper.attempt} was scored by its first self-check ({_shown(record.scored_at)})"
                             ": this one tells you whether your changes are right, the score stays.")
            try:
                progress = update_progress(paper.learner_id, timed_work, now)
            except OSError as error:  # recorded all the same: the page can be written again later
                lines.append(f"Your readiness page could not be written ({error}); the result is recorded: "
                             f"`make readiness LEARNER={paper.learner_id}` writes it once that is put right.")
            else:
                if progress.deck.notice:
                    lines.append(progress.deck.notice)
                lines.append(f"Readiness: {progress.verdict} Your readiness page: {progress.page} (again at any "
                             f"time: `make readiness LEARNER={paper.learner_id}`).")
                due = progress.deck.due(now)
                lines.append(due_line(due, paper.learner_id) if due else _comes_back(progress, paper.attempt))
    print("\n".join(lines))
    if progress is not None and (_in_kernel() if show is None else show):
        from IPython.display import display

        display(show_readiness(progress.scores, progress.learner))
    return results


# After a scored attempt: the readiness page and the review deck -------------------------------------------
def attempt_scores(records: Iterable[Attempt]) -> list[AttemptScore]:
    """The scored attempts, for ``coursekit.readiness``: every attempt with a self-check, scored by its
    *first* self-check (per competency (earned, possible), only the sections the self-check scores) at the
    time of that self-check. Running the self-check again (after changing answers) shows whether a fix
    is right, but the score stays the first: otherwise the self-check would score its own hints."""
    return [AttemptScore(r.attempt, _parse(r.scored_at),
                         {c: (float(s["earned"]), float(s["possible"])) for c, s in r.score.items()})
            for r in records if r.scored_at is not None and r.score]


def readiness_path(learner: str, work: str | os.PathLike | None = None) -> Path:
    """Where the learner's readiness page is written: ``<work>/.exam/readiness-<learner>.html``."""
    return work_folder(work) / LOG_FOLDER / f"readiness-{learner}.html"


def review_path(learner: str, work: str | os.PathLike | None = None) -> Path:
    """The learner's review schedule (``coursekit.review``): ``<work>/.exam/review-<learner>.json``."""
    return work_folder(work) / state_name(learner)


def review_deck(learner: object, work: str | os.PathLike | None = None, now: datetime | None = None) -> ReviewDeck:
    """The learner's review deck with every scored attempt of theirs counted, once (the deck remembers
    the attempt numbers it counted); saved when that changed anything."""
    learner = check_learner_id(learner)
    deck = ReviewDeck.load(review_path(learner, work), now or utc_now())
    counted = set(deck.attempts_seen)
    deck.record_attempts(attempt_scores(AttemptLog(work).attempts(learner)))
    if deck.attempts_seen != counted:
        deck.save()
    return deck


def due_for_review(learner: str, work: str | os.PathLike | None = None, now: datetime | None = None) -> list[str]:
    """The learner's competencies due for review at ``now`` (the most overdue first); none without a schedule."""
    if not review_path(learner, work).exists():
        return []
    return ReviewDeck.load(review_path(learner, work), now or utc_now()).due(now or utc_now())


def due_line(due: list[str], learner: str) -> str:
    """The line naming what is due for review, and how to drill it."""
    how = (f"drills: `make review LEARNER={learner} ARGS=--drill`, or in a notebook "
           f"`from coursekit.review import review_widget; review_widget(learner={learner!r})`")
    return f"Due for review first: {', '.join(due)} ({how})." if due else ""


@dataclass
class Progress:
    """What a scored attempt updated: the learner's scores, the readiness page, the review deck."""

    learner: str
    scores: list[AttemptScore]
    page: Path
    deck: ReviewDeck

    @property
    def verdict(self) -> str:
        return overall_verdict(readiness(self.scores))


def update_progress(learner: object, work: str | os.PathLike | None = None, now: datetime | None = None) -> Progress:
    """(Re)write the learner's readiness page from the attempt log and count new scored attempts in the
    review deck; ``make readiness`` and every recorded self-check call it."""
    learner = check_learner_id(learner)
    scores = attempt_scores(AttemptLog(work).attempts(learner))
    page = readiness_path(learner, work)
    page.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(page, readiness_page(learner, scores))
    return Progress(learner, scores, page, review_deck(learner, work, now))


def _comes_back(progress: Progress, attempt: int) -> str:
    """When the competencies this attempt missed come back for review (or that nothing did)."""
    score = next((s for s in progress.scores if s.attempt == attempt), None)
    missed = [c for c in (score.competencies if score else {}) if (score.share(c) or 0.0) < PASS_MARK
              and c in progress.deck.cards]
    if not missed:
        return "Spaced review: nothing missed in this attempt (`make review` shows what comes back, and when)."
    when = min(progress.deck.cards[c].due for c in missed)
    return (f"Back for review (a short drill) from {when:%Y-%m-%d %H:%M} UTC: {', '.join(missed)}; at the top of "
            f"your next attempt, or with `make review LEARNER={progress.learner}`.")


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def accepted_answers(item_id: str, key: Mapping[str, object]) -> list[str]:
    """Every canonical answer that earns a section's full points, from an instructor's key (question ->
    a label or letter, or a set of accepted ones); used by the instructors' key generator."""
    choices = []
    for question in questions_of(item_id):
        accepted = key[question]
        choices.append(sorted({accepted} if isinstance(accepted, str) else set(accepted)))
    return [canonical_answer(item_id, dict(zip(questions_of(item_id), combination)))
            for combination in product(*choices)]


# The command line ----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.attempts",
                                     description="Timed attempts at the mock exam (module 09).")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start your next attempt: a fresh paper, timed")
    finish = sub.add_parser("finish", help="finish an attempt (the notebook's button does the same)")
    status = sub.add_parser("status", help="your attempts so far")
    ready = sub.add_parser("readiness", help="(re)write your readiness page from your scored attempts")
    reset = sub.add_parser("reset", help="move a damaged attempt log aside and start a new one")
    for command in (start, finish, status, ready):
        command.add_argument("--learner", required=True, help="your learner id")
    for command in (start, finish, status, ready, reset):
        command.add_argument("--work", help=f"your working copy (default ${WORK_ENV} or {DEFAULT_WORK})")
    start.add_argument("--abandon", action="store_true", help="give up an attempt still open first")
    finish.add_argument("--attempt", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            now = utc_now()
            record = start_attempt(args.learner, args.work, abandon=args.abandon, now=now)
            print(f"Attempt {record.attempt} of {record.learner!r} started at {record.started_at} "
                  f"({record.time_limit_minutes} minutes). Open in JupyterLab:")
            print(work_folder(args.work) / record.notebook)
            if due := review_first(record.learner, args.work, now):
                print(due)
        elif args.command == "readiness":
            progress = update_progress(args.learner, args.work)
            if progress.deck.notice:
                print(progress.deck.notice)
            print(progress.verdict)
            print(f"Your readiness page ({len(progress.scores)} scored attempt"
                  f"{'s' if len(progress.scores) != 1 else ''}): {progress.page}")
            due = progress.deck.due(utc_now())
            print(due_line(due, progress.learner) if due else
                  "Nothing is due for review now (`make review` shows when it is).")
        elif args.command == "finish":
            record = finish_attempt(args.learner, args.attempt, args.work)
            print(f"Attempt {record.attempt} finished at {record.finished_at}"
                  + (f", over time by {_mmss(record.over_time_seconds())}." if record.over_time else "."))
        elif args.command == "status":
            learner = check_learner_id(args.learner)
            for record in AttemptLog(args.work).attempts(learner):
                state = ("open" if record.open else "abandoned" if record.abandoned_at else
                         f"finished {record.finished_at}" + (f", over time by {_mmss(record.over_time_seconds())}"
                                                             if record.over_time else ""))
                checked = ", ".join(f"{c} {s['earned']:g}/{s['possible']:g}" for c, s in record.self_check.items())
                print(f"attempt {record.attempt}: started {record.started_at}, {state}"
                      + (f"; self-check: {checked}" if checked else ""))
        else:
            kept = AttemptLog(args.work).reset()
            print(f"The old log is kept as {kept}; the next attempt starts a new log." if kept else "No log to reset.")
    except AttemptError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
