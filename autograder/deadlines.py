"""Deadlines: the course's late policy, per-learner extensions, when a submission was made, and what
being late costs.

Three inputs, all read strictly because an instructor acts on every message:

* the policy (TOML): a time zone, optional defaults and one table per assignment with its due date;
* the extensions (CSV): one row per learner and assignment (or ``*``), a new due date or extra days;
* each submission's time: nbgrader's ``timestamp.txt``, a Canvas download name, or the zip's member time.

Times are kept timezone-aware. Due dates live in the policy's zone, so adding days (an extension, a
``cutoff_days``) keeps the local clock time across a clock change: 3 days after 23:59 is 23:59.
How late a submission is, is measured in elapsed time (UTC), in *started* units of a day or an hour.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
import tomllib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.tz import gettz
from nbgrader.utils import parse_utc

DATE_FORMAT = "YYYY-MM-DD HH:MM"
UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}
# Keys of [defaults]; an assignment table may repeat any of them and adds its due date and cutoff.
DEFAULT_KEYS = ("penalty_percent", "per", "cap_percent", "cutoff_days")
ASSIGNMENT_KEYS = ("due", *DEFAULT_KEYS, "cutoff")
TOP_KEYS = ("timezone", "defaults", "assignments")
# What applies when neither [defaults] nor the assignment says: late is reported but costs nothing.
BUILTIN_DEFAULTS = {"penalty_percent": 0.0, "per": "day", "cap_percent": 100.0}
EXTENSION_COLUMNS = ("learner_id", "assignment", "new_due", "extra_days", "reason")
EVERY_ASSIGNMENT = "*"
# A zip stores a member's local time without a zone; 1980-01-01 00:00 is the format's "no time".
ZIP_NO_TIME = datetime(1980, 1, 1)

_WHEN = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[ T](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"\s*(?P<off>Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
UTC_ZONE = ZoneInfo("UTC")  # reads zip times when there is no policy (and so no course time zone)
# Canvas' bulk download: <squashedname>_[LATE_]<userid>_<attachmentid>_<original name>
_CANVAS_NAME = re.compile(r"[^_]+_(?:(?P<late>late)_)?(?P<user>\d+)_\d+_.+", re.IGNORECASE)
_TOML_HEADER = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?")


class PolicyError(ValueError):
    """A policy or extensions file that cannot be used: "<file>: <where>: <what is wrong>; <what to do>"."""


@dataclasses.dataclass(frozen=True)
class AssignmentPolicy:
    """One assignment's deadline. ``cutoff`` is absolute: ``cutoff_days`` resolved against the base due date."""

    assignment: str
    due: datetime
    penalty_percent: float
    per: str
    cap_percent: float
    cutoff: datetime | None
    cutoff_days: float | None


@dataclasses.dataclass(frozen=True)
class Policy:
    """The late policy of the course; an assignment without an entry is never late."""

    path: Path | None
    timezone: ZoneInfo
    assignments: dict[str, AssignmentPolicy]

    def due(self, assignment: str) -> AssignmentPolicy | None:
        return self.assignments.get(assignment)


@dataclasses.dataclass(frozen=True)
class Extension:
    """One row of the extensions file; ``line`` is where it is, for messages."""

    learner: str
    assignment: str  # an assignment id, or "*" for every assignment of the policy
    new_due: datetime | None
    extra: timedelta | None
    reason: str
    line: int


@dataclasses.dataclass(frozen=True)
class SubmittedTime:
    """When a submission was made, and how we know. ``problem`` is for the instructor: the submission is flagged."""

    at: datetime | None
    source: str
    canvas_late: bool | None
    problem: str = ""


@dataclasses.dataclass(frozen=True)
class Lateness:
    """What the deadline does to one submission, with the words to tell the learner."""

    submitted_at: datetime | None
    source: str
    due: datetime | None
    extension: str
    late_by: timedelta
    penalty: float
    zeroed: bool
    flagged: str
    explanation: str

    def final_score(self, score: float) -> float:
        return 0.0 if self.zeroed else max(0.0, score - self.penalty)


# --- dates ------------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """Aware datetimes with the same tzinfo subtract by wall clock; through UTC they subtract by elapsed time."""
    return moment.astimezone(UTC)


def _localize(naive: datetime, zone: ZoneInfo, written: str) -> datetime:
    """A local clock time in ``zone``; a time the clocks skip (spring forward) does not exist."""
    aware = naive.replace(tzinfo=zone)
    if _utc(aware).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError(
            f"{written} does not exist in {zone.key}: the clocks go forward over it; give a time outside that gap"
        )
    return aware


def _when(value: object, zone: ZoneInfo) -> datetime:
    """A due date as written in the policy or the extensions file, aware in ``zone``; ValueError says the fix."""
    accepted = (
        f'write it as "{DATE_FORMAT}" (local time in {zone.key}), optionally followed by an offset like +01:00 or Z'
    )
    if isinstance(value, datetime):
        return value.astimezone(zone) if value.tzinfo else _localize(value, zone, value.isoformat(" "))
    if isinstance(value, date):
        return _raise(f"{value.isoformat()} is a date without a time; add the time: {value.isoformat()} 23:59")
    if isinstance(value, time) or not isinstance(value, str):
        return _raise(f"{value!r} is not a date and time; {accepted}")
    match = _WHEN.fullmatch(value.strip())
    if not match:
        return _raise(f"{value!r} is not a date and time I can read; {accepted}")
    parts = [int(match[k] or 0) for k in ("y", "mo", "d", "h", "mi", "s")]
    try:
        naive = datetime(*parts)
    except ValueError as why:
        return _raise(f"{value!r} does not exist ({why}); give a real date and time")
    offset = match["off"]
    if offset is None:
        return _localize(naive, zone, repr(value))
    if offset.upper() == "Z":
        return naive.replace(tzinfo=UTC).astimezone(zone)
    sign = -1 if offset[0] == "-" else 1
    hours, minutes = int(offset[1:3]), int(offset[-2:])
    if hours > 23 or minutes > 59:
        return _raise(f"{value!r} has an impossible offset {offset}; write it like +01:00")
    shift = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return naive.replace(tzinfo=shift).astimezone(zone)


def _raise(message: str) -> datetime:
    raise ValueError(message)


def _show(moment: datetime, zone: ZoneInfo) -> str:
    """How a time is shown to people: local to the course, with the zone's abbreviation (GMT, BST)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    words = [f"{days} day{'s' * (days != 1)}"] if days else []
    words += [f"{hours} h"] if hours else []
    words += [f"{minutes} min"] if minutes else []
    return " ".join(words)


def _count(amount: float, unit: str) -> str:
    return f"{amount:g} {unit}{'s' * (amount != 1)}"


# --- the policy file --------------------------------------------------------------------------------


def _toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line of every ``[table]`` header and ``key =`` in a TOML text, so messages can point at a line."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.fullmatch(line)
        if header:
            table = tuple(part.strip().strip("\"'") for part in header[1].split("."))
            lines.setdefault(table, number)
            continue
        key = re.match(r"\s*([\"']?)([^=\"'\s]+)\1\s*=", line)
        if key:
            lines.setdefault((*table, key[2]), number)
    return lines


def read_policy(path: Path, known_assignments: Iterable[str]) -> Policy:
    """The late policy in ``path``; every mistake is a PolicyError naming the line or key and the fix."""
    path = Path(path)
    known = sorted(known_assignments)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: the late policy file does not exist; create it or give the right path") from None
    except UnicodeDecodeError as why:
        raise PolicyError(f"{path}: byte {why.start} is not UTF-8; save the file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as why:
        raise PolicyError(
            f"{path}: invalid TOML ({why}); fix the syntax there: text values in quotes, tables as [assignments.NAME]"
        ) from None
    lines = _toml_lines(text)

    def fail(keys: tuple[str, ...], message: str) -> PolicyError:
        line = next((lines[keys[:n]] for n in range(len(keys), 0, -1) if keys[:n] in lines), None)
        where = f"line {line}, key {'.'.join(keys)}" if line else f"key {'.'.join(keys)}"
        return PolicyError(f"{path}: {where}: {message}")

    def check_keys(table: dict, keys: tuple[str, ...], allowed: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                raise fail((*keys, key), f"unknown key {key!r}; the keys allowed here are {', '.join(allowed)}")

    check_keys(data, (), TOP_KEYS)
    if "timezone" not in data:
        raise PolicyError(f'{path}: timezone is missing; add a first line like timezone = "Europe/London"')
    try:
        if not isinstance(data["timezone"], str):
            raise ValueError
        zone = ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(
            ("timezone",), f'{data["timezone"]!r} is not a time zone; use an IANA name like "Europe/London" or "UTC"'
        ) from None

    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise fail(("defaults",), "must be a table; write it as [defaults] followed by its keys")
    check_keys(defaults, ("defaults",), DEFAULT_KEYS)
    tables = data.get("assignments", {})
    if not isinstance(tables, dict):
        raise fail(("assignments",), "must be a table; write one table per assignment: [assignments.NAME]")

    entries = {}
    for name, table in tables.items():
        keys = ("assignments", name)
        if name not in known:
            raise fail(keys, f"{name!r} is not an assignment of the course; use one of: {', '.join(known) or '(none)'}")
        if not isinstance(table, dict):
            raise fail(keys, f"must be a table; write it as [assignments.{name}] followed by due = ...")
        check_keys(table, keys, ASSIGNMENT_KEYS)
        entries[name] = _assignment_policy(name, table, defaults, zone, fail)
    return Policy(path=path, timezone=zone, assignments=entries)


def _assignment_policy(name: str, table: dict, defaults: dict, zone: ZoneInfo, fail) -> AssignmentPolicy:
    """One [assignments.NAME] table with [defaults] filled in; ``fail(keys, message)`` makes the error."""

    def setting(key: str) -> tuple[object, tuple[str, ...]]:
        if key in table:
            return table[key], ("assignments", name, key)
        if key in defaults:
            return defaults[key], ("defaults", key)
        return BUILTIN_DEFAULTS.get(key), ("assignments", name, key)

    def number(key: str) -> float | None:
        value, keys = setting(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise fail(keys, f"{value!r} is not a number; write a number like 10 or 2.5, without quotes")
        return float(value)

    if "due" not in table:
        raise fail(("assignments", name), f'has no due date; add due = "{DATE_FORMAT}" to [assignments.{name}]')
    try:
        due = _when(table["due"], zone)
    except ValueError as why:
        raise fail(("assignments", name, "due"), str(why)) from None

    penalty = number("penalty_percent")
    if penalty < 0:
        raise fail(setting("penalty_percent")[1], f"penalty_percent is {penalty:g}; it must be 0 or more")
    cap = number("cap_percent")
    if not 0 <= cap <= 100:
        raise fail(setting("cap_percent")[1], f"cap_percent is {cap:g}; it must be between 0 and 100")
    per, per_keys = setting("per")
    if per not in UNITS:
        raise fail(per_keys, f'per is {per!r}; it must be "day" or "hour"')

    if "cutoff" in table and "cutoff_days" in table:
        raise fail(("assignments", name, "cutoff"), "both cutoff and cutoff_days are set; keep only one of them")
    cutoff_days = None if "cutoff" in table else number("cutoff_days")
    if cutoff_days is not None and cutoff_days < 0:
        raise fail(setting("cutoff_days")[1], f"cutoff_days is {cutoff_days:g}; it must be 0 or more")
    cutoff = None
    if cutoff_days is not None:
        cutoff = due + timedelta(days=cutoff_days)
    elif "cutoff" in table:
        keys = ("assignments", name, "cutoff")
        try:
            cutoff = _when(table["cutoff"], zone)
        except ValueError as why:
            raise fail(keys, str(why)) from None
        if _utc(cutoff) < _utc(due):
            raise fail(
                keys,
                f"the cutoff {_show(cutoff, zone)} is before the due date {_show(due, zone)}; set it later",
            )
    return AssignmentPolicy(
        assignment=name, due=due, penalty_percent=penalty, per=per, cap_percent=cap, cutoff=cutoff,
        cutoff_days=cutoff_days,
    )


# --- the extensions file ----------------------------------------------------------------------------


def read_extensions(path: Path, policy: Policy, known_learners: Iterable[str] | None) -> list[Extension]:
    """Every row of the extensions CSV, checked against the policy (and the learners, when given)."""
    path = Path(path)
    learners = None if known_learners is None else {learner.strip() for learner in known_learners}
    zone = policy.timezone
    try:
        # utf-8-sig: a spreadsheet saving "CSV UTF-8" starts the file with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = _csv_rows(handle)
    except FileNotFoundError:
        raise PolicyError(f"{path}: the extensions file does not exist; create it or give the right path") from None
    except UnicodeDecodeError as why:
        raise PolicyError(f"{path}: byte {why.start} is not UTF-8; save the file as CSV UTF-8") from None
    except csv.Error as why:
        raise PolicyError(f"{path}: not a readable CSV file ({why}); check the quotes in it") from None
    if not rows:
        raise PolicyError(f"{path}: the file is empty; its first line must be the header {','.join(EXTENSION_COLUMNS)}")

    header_line, header = rows[0]
    names = [name.strip().lower() for name in header]
    missing = [column for column in EXTENSION_COLUMNS if column not in names]
    if missing:
        raise PolicyError(
            f"{path}: line {header_line}: the header lacks the column(s) {', '.join(missing)}; "
            f"the first line must name the columns {','.join(EXTENSION_COLUMNS)}"
        )
    column = {name: names.index(name) for name in EXTENSION_COLUMNS}

    extensions: list[Extension] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue

        def fail(message: str, line: int = line) -> PolicyError:
            return PolicyError(f"{path}: line {line}: {message}")

        if len(row) > len(header):
            raise fail(
                f"{len(row)} values for {len(header)} columns; put a value that contains a comma in double quotes"
            )
        cell = {name: (row[index].strip() if index < len(row) else "") for name, index in column.items()}
        learner, assignment, reason = cell["learner_id"], cell["assignment"], cell["reason"]
        if not learner:
            raise fail("learner_id is empty; give the learner's id as in their submission")
        if learners is not None and learner not in learners:
            raise fail(f"learner {learner!r} (line {line}) is in no submission and no roster: check the id")
        if not assignment:
            raise fail(f"assignment is empty; give an assignment id or {EVERY_ASSIGNMENT} for every assignment")
        if assignment != EVERY_ASSIGNMENT and policy.due(assignment) is None:
            raise fail(
                f"assignment {assignment!r} has no due date in the policy, so an extension to it means nothing; "
                f"use one of: {', '.join(sorted(policy.assignments)) or '(none)'}, or {EVERY_ASSIGNMENT}"
            )
        if bool(cell["new_due"]) == bool(cell["extra_days"]):
            given = "both new_due and extra_days are" if cell["new_due"] else "neither new_due nor extra_days is"
            raise fail(f'{given} given; give exactly one: a new due date "{DATE_FORMAT}" or a number of extra days')
        new_due = extra = None
        if cell["new_due"]:
            if assignment == EVERY_ASSIGNMENT:
                raise fail(f"a {EVERY_ASSIGNMENT} row cannot have one new_due for every assignment; use extra_days")
            try:
                new_due = _when(cell["new_due"], zone)
            except ValueError as why:
                raise fail(f"new_due {why}") from None
            base = policy.due(assignment).due
            if _utc(new_due) < _utc(base):
                raise fail(
                    f"new_due {_show(new_due, zone)} is before the due date {_show(base, zone)}; "
                    "an extension cannot make the deadline earlier: fix the date"
                )
        else:
            try:
                days = float(cell["extra_days"])
            except ValueError:
                message = f"extra_days {cell['extra_days']!r} is not a number; write a number of days like 3 or 1.5"
                raise fail(message) from None
            if not math.isfinite(days) or days <= 0:
                raise fail(f"extra_days is {cell['extra_days']}; it must be a positive number of days like 3 or 1.5")
            extra = timedelta(days=days)
        if not reason:
            raise fail("reason is empty; say why the extension was granted (it is shown with the grade)")
        if (learner, assignment) in seen:
            first = seen[learner, assignment]
            raise fail(
                f"learner {learner!r} has two extensions for {assignment!r}, on lines {first} and {line}; "
                "keep one row (a row for one assignment may override a * row, but not another row for it)"
            )
        seen[learner, assignment] = line
        extensions.append(Extension(learner, assignment, new_due, extra, reason, line))
    return extensions


def _csv_rows(handle) -> list[tuple[int, list[str]]]:
    """Rows with the line each starts on (a quoted value may span lines)."""
    reader = csv.reader(handle)
    rows, start = [], 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    return rows


# --- when was it submitted --------------------------------------------------------------------------


def zip_member_times(archive: Path) -> dict[str, datetime]:
    """Member path (POSIX style) -> its naive local time as the zip stores it; folders are left out."""
    with zipfile.ZipFile(archive) as opened:
        return {
            info.filename.replace("\\", "/"): datetime(*info.date_time)
            for info in opened.infolist()
            if not info.is_dir()
        }


def _read_timestamp(text: str, zone: ZoneInfo) -> datetime:
    """nbgrader's timestamp.txt ("%Y-%m-%d %H:%M:%S.%f %Z") as aware UTC; ValueError when unreadable.

    parse_utc leaves a time naive when dateutil does not know the zone's abbreviation (BST, CEST), and
    reads a numeric zone (+0100) as seconds; those two are handled here, the rest is nbgrader's reading.
    """
    text = text.strip()
    if not text:
        raise ValueError("it is empty")
    parts = text.split()
    if len(parts) == 3:
        try:
            naive = datetime.fromisoformat(" ".join(parts[:2]))
        except ValueError:
            raise ValueError(f"{text!r} is not a time; nbgrader writes e.g. 2027-01-15 22:10:03.123456 UTC") from None
        for fold in (0, 1):  # the course's own zone, as nbgrader writes it when configured with it
            local = naive.replace(tzinfo=zone, fold=fold)
            if local.tzname() == parts[2]:
                return _utc(local)
        if re.fullmatch(r"[+-]\d{4}", parts[2]):
            shape = "%Y-%m-%d %H:%M:%S.%f %z" if "." in parts[1] else "%Y-%m-%d %H:%M:%S %z"
            return _utc(datetime.strptime(text, shape))
        if gettz(parts[2]) is None:
            raise ValueError(f"its zone {parts[2]!r} is neither a known zone nor one of {zone.key}'s")
    try:
        moment = parse_utc(text)
    except (ValueError, OverflowError) as why:
        raise ValueError(f"{text!r} is not a time ({why})") from None
    return moment.replace(tzinfo=UTC)  # parse_utc returns naive UTC; nbgrader reads a zoneless time as UTC too


def _zip_time(notebook: Path, root: Path, zip_times: Mapping[str, datetime]) -> datetime | None | str:
    """The notebook's member time: a key equal to its path under root, or ending with "/" + it (a top folder)."""
    try:
        relative = notebook.relative_to(root).as_posix()
    except ValueError:
        return None
    if relative in zip_times:
        return zip_times[relative]
    found = {zip_times[key] for key in zip_times if key.endswith("/" + relative)}
    if len(found) > 1:
        return f"the zip holds {relative} more than once, with different times"
    return found.pop() if found else None


def canvas_user_id(file_name: str) -> str | None:
    """The Canvas user id in a Canvas download name (the roster's ``ID`` column), or None."""
    match = _CANVAS_NAME.fullmatch(file_name)
    return match["user"] if match else None


def submission_time(
    notebook: Path, root: Path, zip_times: Mapping[str, datetime], timezone: ZoneInfo
) -> SubmittedTime:
    """When ``notebook`` was submitted: nbgrader's timestamp.txt, else a Canvas name, else the zip's member time."""
    notebook, root = Path(notebook), Path(root)
    unreadable = ""
    stamp = notebook.parent / "timestamp.txt"
    if stamp.is_file():
        try:
            at = _read_timestamp(stamp.read_text(encoding="utf-8"), timezone)
            return SubmittedTime(at, "nbgrader timestamp.txt", None)
        except (ValueError, UnicodeDecodeError) as why:
            unreadable = f"{stamp} is unreadable ({why})"

    zip_time = _zip_time(notebook, root, zip_times)
    zip_problem = zip_time if isinstance(zip_time, str) else ""
    if zip_time == ZIP_NO_TIME:
        zip_problem = "the zip gives 1980-01-01 00:00, the zip format's placeholder for no time"
    at = None
    if isinstance(zip_time, datetime) and not zip_problem:
        at = _utc(zip_time.replace(tzinfo=timezone))
    from_zip = f"time from the zip (read as {timezone.key})"
    problems = "; ".join(p for p in (unreadable, zip_problem) if p)

    canvas = _CANVAS_NAME.fullmatch(notebook.name)
    if canvas and canvas["late"]:
        if at is not None:
            return SubmittedTime(at, f"Canvas file name (LATE); {from_zip}", True)
        problem = (
            "Canvas marks it LATE but gives no time (the file is not from a zip with member times), "
            "no penalty applied; the instructor may set one with an override"
        )
        return SubmittedTime(None, "Canvas file name (LATE)", True, "; ".join(p for p in (problem, problems) if p))
    if canvas:
        source = f"Canvas file name (not marked late); {from_zip}" if at else "Canvas file name (not marked late)"
        return SubmittedTime(at, source, False)

    if at is not None:
        return SubmittedTime(at, f"zip member time (read as {timezone.key})", None)
    sources = [
        unreadable or "no timestamp.txt",
        "not a Canvas download name",
        zip_problem or "not from a zip",
    ]
    return SubmittedTime(None, "unknown", None, "no submission time: " + ", ".join(sources))


# --- what it costs ----------------------------------------------------------------------------------


def _extension_for(extensions: Sequence[Extension], learner: str, assignment: str) -> Extension | None:
    """A row for this very assignment beats the learner's * row."""
    learner = learner.strip()
    rows = [row for row in extensions if row.learner == learner]
    return next((row for row in rows if row.assignment == assignment), None) or next(
        (row for row in rows if row.assignment == EVERY_ASSIGNMENT), None
    )


def lateness(
    policy: Policy,
    extensions: Sequence[Extension],
    learner: str,
    assignment: str,
    submitted: SubmittedTime,
    max_score: float,
) -> Lateness:
    """The penalty for one submission, per the policy and the learner's extension.

    An extension moves the due date (``new_due`` replaces it, ``extra`` adds to it) and the hard cutoff
    with it: ``cutoff_days`` counts from the extended due date, an absolute ``cutoff`` moves by the same
    shift as the due date. Late units are started units: 1 minute late with per = "day" is 1 day.
    When Canvas says on time but the zip's time says late, the learner gets the benefit of the doubt
    (no penalty) and the submission is flagged for the instructor.
    """
    entry = policy.due(assignment)
    nothing = dict(submitted_at=submitted.at, source=submitted.source, late_by=timedelta(0), penalty=0.0, zeroed=False)
    if entry is None:
        return Lateness(**nothing, due=None, extension="", flagged="", explanation="")
    zone = policy.timezone

    due, cutoff, extension, said = entry.due, entry.cutoff, "", ""
    granted = _extension_for(extensions, learner, assignment)
    if granted and granted.new_due:
        due = granted.new_due
        extension = f"extended to {_show(due, zone)} ({granted.reason})"
        if cutoff is not None:
            cutoff = cutoff + (_utc(due) - _utc(entry.due))
    elif granted:
        due = entry.due + granted.extra
        days = granted.extra / timedelta(days=1)
        extension = f"extended by {_count(days, 'day')} to {_show(due, zone)} ({granted.reason})"
        if cutoff is not None:
            cutoff = cutoff + granted.extra
    if entry.cutoff_days is not None:
        cutoff = due + timedelta(days=entry.cutoff_days)
    if granted:
        said = f"Due date {extension}"
    due_words = "the extended due date" if granted else "the due date"
    on_time = f"{said}; submitted on time." if said else ""
    nothing["due"], nothing["extension"] = due, extension

    if submitted.at is None:
        if submitted.problem:
            told = (
                "Canvas marks this submission late but gives no submission time, so no late penalty has been applied."
                if submitted.canvas_late
                else "The submission time could not be determined, so no late penalty has been applied."
            )
            return Lateness(**nothing, flagged=submitted.problem, explanation=f"{said}. {told}" if said else told)
        return Lateness(**nothing, flagged="", explanation=on_time)

    at = submitted.at
    late_by = _utc(at) - _utc(due)
    if late_by <= timedelta(0):
        return Lateness(**nothing, flagged="", explanation=on_time)
    lead = f"{said}. " if said else ""
    if submitted.canvas_late is False:
        flagged = (
            f"Canvas does not mark it late, but the zip's time {_show(at, zone)} is {_duration(late_by)} after "
            f"{due_words} {_show(due, zone)}: no penalty applied; check Canvas' due date against the policy "
            "and set an override if it was late"
        )
        return Lateness(**nothing, flagged=flagged, explanation=on_time)

    unit = UNITS[entry.per]
    units = late_by // unit + (1 if late_by % unit else 0)
    percent = min(entry.cap_percent, entry.penalty_percent * units)
    penalty = round(percent / 100 * max_score, 2)
    zeroed = cutoff is not None and _utc(at) > _utc(cutoff)
    if zeroed:
        explanation = (
            f"{lead}Submitted {_show(at, zone)}, after the hard cutoff {_show(cutoff, zone)}: this submission scores 0."
        )
    else:
        when = f"Submitted {_show(at, zone)}, {_duration(late_by)} after {due_words} {_show(due, zone)}"
        late = f"{units} {entry.per}{'s' * (units != 1)} late"
        if entry.penalty_percent == 0:
            explanation = f"{lead}{when}: {late}, but this assignment has no late penalty."
        else:
            rate = f"{entry.penalty_percent:g} % of {_count(max_score, 'point')} per {entry.per}"
            cap = (
                f"capped at {entry.cap_percent:g} %"
                if entry.penalty_percent * units > entry.cap_percent
                else f"(cap {entry.cap_percent:g} %)"
            )
            explanation = f"{lead}{when}: {late} at {rate} {cap}: {_count(penalty, 'point')} off."
    return Lateness(
        submitted_at=at, source=submitted.source, due=due, extension=extension, late_by=late_by, penalty=penalty,
        zeroed=zeroed, flagged="", explanation=explanation,
    )
