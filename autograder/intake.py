"""Intake: a folder or a zip of submissions becomes a list of ``Submission``s.

``SUBMISSIONS`` is in nbgrader's layout (``<learner>/<assignment>/<notebook>.ipynb``) or an LMS
export (``<learner>_<anything>.ipynb``). Every file is mapped to its assignment by its cells'
nbgrader ids, never by its name (a misfiled notebook is graded as what it is, with a note). Files
that are not notebooks, or belong to no assignment, are ``invalid`` at once, with a reason.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat

from autograder import course, deadlines
from autograder.results import Graded, Result, Settings, Task, result_key
from coursekit.attempts import ATTEMPT_FOLDER, SUMMARY_NAME
from coursekit.exam import attempt_submission_id

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")


@dataclasses.dataclass
class Submission:
    learner: str
    assignment: str           # the assignment its cells belong to ("" when none)
    path: Path                # the file as received (inside the extracted input)
    status: str = ""          # "invalid" when it cannot be graded at all
    reason: str = ""
    note: str = ""            # said to the learner next to the grade (misfiled, duplicates...)
    digest: str = ""          # sha256 of the file
    submitted: deadlines.SubmittedTime | None = None  # when, and how we know

    @property
    def key(self) -> str:
        return result_key(self.learner, self.assignment)

    def task(self, settings: Settings) -> Task:
        """The task that grades this submission anywhere: it carries the notebook itself."""
        return Task(learner=self.learner, assignment=self.assignment, notebook=self.path.read_bytes(),
                    digest=self.digest, source=course.source_digest(self.assignment), note=self.note,
                    settings=settings)

    def invalid(self) -> Graded:
        """The result of a file that cannot be graded at all (no nbgrader needed)."""
        return Graded(Result(
            learner=self.learner, assignment=self.assignment or "unknown", digest=self.digest,
            source=course.source_digest(self.assignment), status="invalid", reason=self.reason, score=0.0,
            max_score=course.max_score(self.assignment), note=self.note))


def over_time(notebook: Path, submitted: deadlines.SubmittedTime | None) -> str:
    """What the grader says of a timed attempt's time (coursekit/attempts.py records it): over the
    limit by how much, from the attempt's finish (``attempt.json`` beside the notebook), else from
    when it was submitted; "" when it kept to the limit or says nothing."""
    try:
        started = json.loads(notebook.read_bytes()).get("metadata", {}).get("course", {}).get("attempt", {})
        minutes = float(started["time_limit_minutes"])
        start = datetime.datetime.fromisoformat(started["started_at"])
        number = started.get("attempt", "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""
    try:
        finished = json.loads((notebook.parent / SUMMARY_NAME).read_text())
        end, how = datetime.datetime.fromisoformat(finished["finished_at"]), "finished"
    except (OSError, ValueError, KeyError, TypeError):
        if submitted is None or submitted.at is None:
            return (f"Timed attempt {number}: it was not finished with the Finish button and its submission "
                    "time is unknown, so whether it kept to the time limit cannot be told.")
        end, how = submitted.at, "submitted"
    if start.tzinfo is None or end.tzinfo is None:
        return ""
    over = (end - start).total_seconds() - 60 * minutes
    if over <= 0:
        return ""
    return (f"Timed attempt {number}: {how} {int(over // 60)} min {int(over % 60)} s over the {minutes:g}-minute "
            f"limit (started {start.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC).")


def attempt_mismatch(notebook: Path, learner: str, number: int) -> str:
    """What the grader says when a timed attempt's notebook was started as another attempt (its metadata,
    written at the start) than the folder it was submitted in: a copy of one attempt handed in again as
    another, or one learner's attempt in another's folder. "" when they agree or the metadata says nothing."""
    try:
        started = json.loads(notebook.read_bytes()).get("metadata", {}).get("course", {}).get("attempt", {})
        recorded = (str(started["learner"]).strip().casefold(), int(started["attempt"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""
    if recorded == (learner.strip().casefold(), number):
        return ""
    return (f"This notebook was started as attempt {recorded[1]} of {recorded[0]!r} but submitted as attempt {number} "
            f"of {learner!r} (a copy of another attempt?); it was graded on the paper of attempt {number}.")


def _extract(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            target = (into / info.filename).resolve()
            if not target.is_relative_to(into.resolve()):
                raise ValueError(f"{archive}: refusing a zip entry outside the folder: {info.filename}")
            total += info.file_size
        if total > 4 * 1024**3:
            raise ValueError(f"{archive} would unpack to more than 4 GiB")
        zf.extractall(into)
    entries = [p for p in into.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if not _has_layout(into) and len(entries) == 1 and entries[0].is_dir() and _has_layout(entries[0]):
        return entries[0]  # a zip of one folder: that folder is the submissions folder
    return into


def _has_layout(root: Path) -> bool:
    return any(root.glob("*.ipynb")) or any(root.glob("*/*/*.ipynb"))


def _identify(path: Path, signatures: dict[str, set[str]]) -> tuple[str, str]:
    """(assignment, '') from the notebook's nbgrader cell ids, or ('', reason) when invalid."""
    raw = path.read_bytes()
    if not raw.strip():
        return "", "The file is empty: nothing was submitted. Upload your saved notebook (.ipynb)."
    try:
        notebook = nbformat.reads(raw.decode("utf-8", errors="replace"), as_version=4)
    except Exception as error:  # nbformat raises several kinds for non-JSON input
        first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        return "", (f"The file is not a valid Jupyter notebook ({first}). Save it from Jupyter with "
                    "File > Save and upload the .ipynb file itself.")
    ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in notebook.cells} - {None}
    best = max(signatures, key=lambda a: (len(ids & signatures[a]), a), default="")
    if not best or not ids & signatures[best]:
        return "", ("This notebook has none of the graded cells of any course assignment. Submit the "
                    "course notebook you worked in (from notebooks/ or my-work/), not a new one.")
    return best, ""


def collect(source: Path, scratch: Path, timezone: ZoneInfo = deadlines.UTC_ZONE) -> list[Submission]:
    """Every submission in ``source`` (folder or zip), identified, deduplicated and timed (nbgrader's
    timestamp.txt, a Canvas download name, the zip's member time; ``timezone`` reads zip times)."""
    source = Path(source)
    zip_times: dict[str, datetime.datetime] = {}
    if not source.exists():
        raise FileNotFoundError(f"{source} is not a folder of submissions (nor a zip of one)")
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise ValueError(f"{source} is neither a folder nor a zip of submissions")
        input_dir = scratch / "input"
        shutil.rmtree(input_dir, ignore_errors=True)
        input_dir.mkdir(parents=True)
        root = _extract(source, input_dir)
        zip_times = deadlines.zip_member_times(source)
    else:
        root = source
    signatures = {a: {c["metadata"]["nbgrader"]["grade_id"] for c in course.source_cells(a)}
                  for a in course.assignments()}
    found: list[Submission] = []
    for path in sorted(root.rglob("*.ipynb")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p == "__MACOSX" for p in parts) or not path.is_file():
            continue
        attempt = ATTEMPT_FOLDER.match(parts[2]) if len(parts) == 4 else None
        if attempt and int(attempt[1]) < 1:
            attempt = None
        if len(parts) == 3:                       # nbgrader: learner/assignment/notebook.ipynb
            learner, claimed = parts[0], parts[1]
        elif attempt:                             # a timed attempt: learner/assignment/attempt-N/notebook.ipynb
            learner, claimed = attempt_submission_id(parts[0], int(attempt[1])), parts[1]
        elif len(parts) == 1:                     # LMS: learner_anything.ipynb
            # A Canvas download (name_[LATE_]userid_fileid_file) is the Canvas user id's: the roster's ID.
            learner, claimed = deadlines.canvas_user_id(path.name) or path.stem.split("_", 1)[0], ""
        else:
            warnings.warn(f"skipping {path}: neither <learner>/<assignment>/<nb>.ipynb (or .../attempt-<N>/<nb>.ipynb) "
                          "nor <learner>_<x>.ipynb", stacklevel=2)
            continue
        submission = Submission(learner=learner, assignment="", path=path)
        submission.digest = hashlib.sha256(path.read_bytes()).hexdigest()
        submission.submitted = deadlines.submission_time(path, root, zip_times, timezone)
        if attempt:
            notes = (attempt_mismatch(path, parts[0], int(attempt[1])), over_time(path, submission.submitted))
            submission.note = " ".join(note for note in notes if note)
        if not SAFE_ID.match(learner):
            submission.assignment = claimed if claimed in signatures else ""
            submission.status, submission.reason = "invalid", (
                f"The learner id {learner!r} (from the file name) has characters a grade book cannot hold.")
            submission.learner = re.sub(r"[^A-Za-z0-9._@+-]", "-", learner) or "unnamed"
            found.append(submission)
            continue
        assignment, reason = _identify(path, signatures)
        if reason:
            submission.assignment = claimed if claimed in signatures else ""
            submission.status, submission.reason = "invalid", reason
        else:
            submission.assignment = assignment
            if claimed and claimed != assignment:
                submission.note = " ".join(x for x in (submission.note, (
                    f"This file was submitted as {claimed}, but it is the notebook of {assignment}; it was graded "
                    f"as {assignment}.")) if x)
        found.append(submission)
    if not found:
        unknown = sorted({p.name for p in root.glob("*/*") if p.is_dir()} - set(signatures))
        detail = f"no such assignment in solutions/: {', '.join(unknown)}; " if unknown else ""
        raise ValueError(f"{detail}no notebook to grade in {source}")
    # One row per learner and assignment: a valid file beats an invalid one, then the newest.
    chosen: dict[str, Submission] = {}
    for submission in found:
        other = chosen.get(submission.key)
        if other is None:
            chosen[submission.key] = submission
            continue
        rank = lambda s: (s.status != "invalid", s.path.stat().st_mtime, str(s.path))  # noqa: E731
        keep, drop = (submission, other) if rank(submission) > rank(other) else (other, submission)
        keep.note = (keep.note + " " if keep.note else "") + (
            f"Several files were submitted for this assignment; {keep.path.name} was graded, "
            f"{drop.path.name} was not.")
        chosen[submission.key] = keep
    return sorted(chosen.values(), key=lambda s: (s.learner, s.assignment))
