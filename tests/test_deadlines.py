"""Deadlines (autograder/deadlines.py): the late policy and extensions as instructors write them, each
source of a submission's time as nbgrader, Canvas and zip files give it, and what lateness costs."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from autograder.deadlines import (
    Extension,
    Lateness,
    Policy,
    PolicyError,
    SubmittedTime,
    canvas_user_id,
    lateness,
    read_extensions,
    read_policy,
    submission_time,
    zip_member_times,
)

LONDON = ZoneInfo("Europe/London")
KNOWN = ["01_linear_models", "02_logistic_regression", "03_knn"]
POLICY = """\
timezone = "Europe/London"
[defaults]
penalty_percent = 10
per = "day"
cap_percent = 50
cutoff_days = 7
[assignments.01_linear_models]
due = "2027-01-15 23:59"
[assignments.02_logistic_regression]
due = 2027-01-22T23:59:00
penalty_percent = 5
per = "hour"
cutoff = "2027-01-25 12:00"
[assignments.03_knn]
due = "2027-07-15T23:59+02:00"
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "late_policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    return read_policy(write(tmp_path, POLICY), KNOWN)


def extensions_of(tmp_path: Path, policy: Policy, rows: str, learners=("alice", "bob", "carol")) -> list[Extension]:
    path = write(tmp_path, "learner_id,assignment,new_due,extra_days,reason\n" + rows, "extensions.csv")
    return read_extensions(path, policy, learners)


def at(moment: datetime, source: str = "nbgrader timestamp.txt") -> SubmittedTime:
    return SubmittedTime(moment, source, None)


# --- the policy -------------------------------------------------------------------------------------


def test_policy_reads_strings_toml_datetimes_and_offsets(policy: Policy) -> None:
    linear = policy.due("01_linear_models")
    assert linear.due == datetime(2027, 1, 15, 23, 59, tzinfo=LONDON)
    assert (linear.penalty_percent, linear.per, linear.cap_percent, linear.cutoff_days) == (10, "day", 50, 7)
    assert linear.cutoff == datetime(2027, 1, 22, 23, 59, tzinfo=LONDON)

    logistic = policy.due("02_logistic_regression")  # a TOML datetime, naive: read in the policy's zone
    assert logistic.due == datetime(2027, 1, 22, 23, 59, tzinfo=LONDON)
    assert (logistic.penalty_percent, logistic.per, logistic.cutoff_days) == (5, "hour", None)
    assert logistic.cutoff == datetime(2027, 1, 25, 12, 0, tzinfo=LONDON)

    knn = policy.due("03_knn")  # +02:00 in summer is 22:59 BST
    assert knn.due.astimezone(UTC) == utc(2027, 7, 15, 21, 59)
    assert knn.due.tzname() == "BST"
    assert policy.due("04_not_in_policy") is None
    assert policy.timezone == LONDON


def test_due_dates_follow_daylight_saving(tmp_path: Path) -> None:
    text = 'timezone = "Europe/London"\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\n'
    text += '[assignments.03_knn]\ndue = "2027-07-15 23:59"\n'
    text += '[assignments.02_logistic_regression]\ndue = "2027-07-15T23:59Z"\n'
    policy = read_policy(write(tmp_path, text), KNOWN)
    assert policy.due("01_linear_models").due.astimezone(UTC) == utc(2027, 1, 15, 23, 59)  # GMT
    assert policy.due("03_knn").due.astimezone(UTC) == utc(2027, 7, 15, 22, 59)  # BST
    assert policy.due("02_logistic_regression").due.astimezone(UTC) == utc(2027, 7, 15, 23, 59)


def test_a_policy_without_assignments_makes_nothing_late(tmp_path: Path) -> None:
    policy = read_policy(write(tmp_path, 'timezone = "UTC"\n'), KNOWN)
    assert policy.assignments == {}
    result = lateness(policy, [], "alice", "01_linear_models", at(utc(2030, 1, 1)), 10)
    assert (result.due, result.penalty, result.zeroed, result.flagged, result.explanation) == (None, 0, False, "", "")
    assert result.submitted_at == utc(2030, 1, 1)


ERRORS = {
    "invalid TOML": ("timezone = Europe/London\n", ["line 1", "invalid TOML", "fix the syntax"]),
    "no timezone": ("[defaults]\nper = 'day'\n", ["timezone is missing", 'timezone = "Europe/London"']),
    "unknown timezone": ('timezone = "Europe/Londn"\n', ["line 1", "'Europe/Londn' is not a time zone", "IANA"]),
    "unknown assignment": (
        'timezone = "UTC"\n[assignments.09_nope]\ndue = "2027-01-15 23:59"\n',
        ["line 2", "'09_nope' is not an assignment", "01_linear_models, 02_logistic_regression, 03_knn"],
    ),
    "typo in a key": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\npenalty_percnet = 5\n',
        ["line 4", "penalty_percnet", "allowed here are due, penalty_percent, per, cap_percent, cutoff_days, cutoff"],
    ),
    "typo in defaults": ('timezone = "UTC"\n[defaults]\ncap = 5\n', ["line 3", "key defaults.cap", "cap_percent"]),
    "no due date": ('timezone = "UTC"\n[assignments.01_linear_models]\nper = "day"\n', ["line 2", "has no due date"]),
    "impossible date": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "2027-02-30 23:59"\n',
        ["line 3", "assignments.01_linear_models.due", "'2027-02-30 23:59' does not exist", "give a real date"],
    ),
    "unreadable date": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "15/01/2027 23:59"\n',
        ["line 3", "not a date and time I can read", '"YYYY-MM-DD HH:MM"'],
    ),
    "date without time": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = 2027-01-15\n',
        ["line 3", "a date without a time", "2027-01-15 23:59"],
    ),
    "time the clocks skip": (
        'timezone = "Europe/London"\n[assignments.01_linear_models]\ndue = "2027-03-28 01:30"\n',
        ["line 3", "does not exist in Europe/London", "clocks go forward"],
    ),
    "negative penalty": (
        'timezone = "UTC"\n[defaults]\npenalty_percent = -5\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\n'
        "",
        ["line 3", "key defaults.penalty_percent", "must be 0 or more"],
    ),
    "penalty in quotes": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\npenalty_percent = "10"\n',
        ["line 4", "is not a number", "without quotes"],
    ),
    "cap above 100": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\ncap_percent = 150\n',
        ["line 4", "cap_percent is 150", "between 0 and 100"],
    ),
    "per week": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\nper = "week"\n',
        ["line 4", "per is 'week'", 'must be "day" or "hour"'],
    ),
    "cutoff before due": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\ncutoff = "2027-01-14 12:00"\n',
        ["line 4", "before the due date 2027-01-15 23:59 UTC", "set it later"],
    ),
    "cutoff and cutoff_days": (
        'timezone = "UTC"\n[assignments.01_linear_models]\ndue = "2027-01-15 23:59"\ncutoff = "2027-01-20 12:00"\n'
        "cutoff_days = 3\n",
        ["line 4", "both cutoff and cutoff_days", "keep only one"],
    ),
}


@pytest.mark.parametrize("text, expected", ERRORS.values(), ids=ERRORS.keys())
def test_policy_errors_name_the_place_and_the_fix(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as error:
        read_policy(path, KNOWN)
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    for words in expected:
        assert words in message


def test_a_missing_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="late_policy.toml: the late policy file does not exist; create it"):
        read_policy(tmp_path / "late_policy.toml", KNOWN)


def test_an_assignment_cutoff_overrides_default_cutoff_days(tmp_path: Path) -> None:
    text = POLICY.replace('cutoff = "2027-01-25 12:00"', 'cutoff = "2027-01-30 12:00"')
    logistic = read_policy(write(tmp_path, text), KNOWN).due("02_logistic_regression")
    assert (logistic.cutoff_days, logistic.cutoff) == (None, datetime(2027, 1, 30, 12, 0, tzinfo=LONDON))


# --- extensions -------------------------------------------------------------------------------------


def test_extensions_are_read(tmp_path: Path, policy: Policy) -> None:
    rows = 'alice,01_linear_models,2027-01-18 23:59,,illness (note on file)\n bob ,*,,3,accessibility plan\n\n'
    rows += 'carol,03_knn,,1.5,"family, see email"\n'
    alice, bob, carol = extensions_of(tmp_path, policy, rows)
    assert alice == Extension(
        "alice", "01_linear_models", datetime(2027, 1, 18, 23, 59, tzinfo=LONDON), None, "illness (note on file)", 2
    )
    assert (bob.learner, bob.assignment, bob.new_due, bob.extra, bob.line) == ("bob", "*", None, timedelta(days=3), 3)
    assert (carol.extra, carol.reason, carol.line) == (timedelta(days=1.5), "family, see email", 5)


def test_a_specific_row_may_override_a_star_row(tmp_path: Path, policy: Policy) -> None:
    rows = "bob,*,,3,accessibility plan\nbob,01_linear_models,,5,illness\n"
    extensions = extensions_of(tmp_path, policy, rows)
    result = lateness(policy, extensions, "bob", "01_linear_models", at(utc(2027, 1, 20, 12)), 10)
    assert result.due == datetime(2027, 1, 20, 23, 59, tzinfo=LONDON)
    assert result.extension == "extended by 5 days to 2027-01-20 23:59 GMT (illness)"
    other = lateness(policy, extensions, "bob", "02_logistic_regression", at(utc(2027, 1, 20, 12)), 10)
    assert other.extension == "extended by 3 days to 2027-01-25 23:59 GMT (accessibility plan)"


EXTENSION_ERRORS = {
    "two specific rows": (
        "alice,01_linear_models,,1,a\nbob,*,,1,b\nalice,01_linear_models,,2,c\n",
        ["line 4", "two extensions for '01_linear_models', on lines 2 and 4", "keep one row"],
    ),
    "two star rows": ("bob,*,,1,a\nbob,*,,2,b\n", ["line 3", "on lines 2 and 3"]),
    "unknown learner": (
        "alice,*,,1,a\nbob,*,,1,b\nzed,*,,1,c\n",
        ["line 4: learner 'zed' (line 4) is in no submission and no roster: check the id"],
    ),
    "learner ids are case-sensitive": ("Alice,*,,1,a\n", ["learner 'Alice' (line 2) is in no submission"]),
    "assignment without a due date": (
        "alice,04_svm,,1,a\n",
        ["line 2", "'04_svm' has no due date in the policy", "means nothing", "01_linear_models"],
    ),
    "both new_due and extra_days": (
        "alice,01_linear_models,2027-01-18 23:59,2,a\n",
        ["line 2", "both new_due and extra_days", "give exactly one"],
    ),
    "neither new_due nor extra_days": ("alice,01_linear_models,,,a\n", ["line 2", "neither new_due nor extra_days"]),
    "impossible new_due": ("alice,01_linear_models,2027-02-30 23:59,,a\n", ["line 2", "does not exist"]),
    "unreadable new_due": ("alice,01_linear_models,18/01/2027,,a\n", ["line 2", '"YYYY-MM-DD HH:MM"']),
    "new_due before due": ("alice,01_linear_models,2027-01-10 23:59,,a\n", ["line 2", "cannot make the deadline"]),
    "zero extra_days": ("alice,01_linear_models,,0,a\n", ["line 2", "must be a positive number of days"]),
    "negative extra_days": ("alice,01_linear_models,,-2,a\n", ["line 2", "must be a positive number"]),
    "extra_days in words": ("alice,01_linear_models,,three,a\n", ["line 2", "'three' is not a number"]),
    "empty reason": ("alice,01_linear_models,,2, \n", ["line 2", "reason is empty"]),
    "unquoted comma": ("alice,01_linear_models,,2,ill, see email\n", ["line 2", "in double quotes"]),
}


@pytest.mark.parametrize("rows, expected", EXTENSION_ERRORS.values(), ids=EXTENSION_ERRORS.keys())
def test_extension_errors_name_the_line_and_the_fix(tmp_path: Path, policy: Policy, rows: str, expected) -> None:
    with pytest.raises(PolicyError) as error:
        extensions_of(tmp_path, policy, rows)
    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'extensions.csv'}: ")
    for words in expected:
        assert words in message


def test_extension_columns_must_all_be_there(tmp_path: Path, policy: Policy) -> None:
    path = write(tmp_path, "learner_id,assignment,extra_days\nalice,*,2\n", "extensions.csv")
    with pytest.raises(PolicyError, match="line 1: the header lacks the column.s. new_due, reason; the first line"):
        read_extensions(path, policy, None)


def test_without_known_learners_any_learner_is_taken(tmp_path: Path, policy: Policy) -> None:
    path = write(tmp_path, "\ufefflearner_id,assignment,new_due,extra_days,reason\nzed,*,,2,x\n", "extensions.csv")
    assert [e.learner for e in read_extensions(path, policy, None)] == ["zed"]


# --- when was it submitted --------------------------------------------------------------------------


def nbgrader_submission(root: Path, stamp: str | None) -> Path:
    folder = root / "alice" / "01_linear_models"
    folder.mkdir(parents=True)
    notebook = folder / "01_linear_models.ipynb"
    notebook.write_text("{}")
    if stamp is not None:
        (folder / "timestamp.txt").write_text(stamp)
    return notebook


def test_time_from_nbgrader_timestamp(tmp_path: Path) -> None:
    stamp = datetime(2027, 1, 15, 22, 10, 3, 123456, tzinfo=ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    assert stamp == "2027-01-15 22:10:03.123456 UTC"  # nbgrader's exchange timestamp_format
    notebook = nbgrader_submission(tmp_path, stamp)
    submitted = submission_time(notebook, tmp_path, {}, LONDON)
    assert submitted == SubmittedTime(utc(2027, 1, 15, 22, 10, 3, 123456), "nbgrader timestamp.txt", None)


def test_nbgrader_timestamp_in_the_course_zone(tmp_path: Path) -> None:
    """An exchange configured with timezone = Europe/London writes BST, which dateutil alone does not know."""
    notebook = nbgrader_submission(tmp_path, "2027-07-15 22:10:03.000001 BST\n")
    assert submission_time(notebook, tmp_path, {}, LONDON).at == utc(2027, 7, 15, 21, 10, 3, 1)


def test_an_unreadable_timestamp_is_reported_when_nothing_else_gives_a_time(tmp_path: Path) -> None:
    notebook = nbgrader_submission(tmp_path, "yesterday evening")
    submitted = submission_time(notebook, tmp_path, {}, LONDON)
    assert submitted.at is None
    assert "timestamp.txt is unreadable" in submitted.problem
    assert "not a Canvas download name, not from a zip" in submitted.problem
    times = {"alice/01_linear_models/01_linear_models.ipynb": datetime(2027, 1, 15, 9)}
    zipped = submission_time(notebook, tmp_path, times, LONDON)
    assert (zipped.at, zipped.problem) == (utc(2027, 1, 15, 9), "")


def test_no_time_at_all(tmp_path: Path) -> None:
    notebook = nbgrader_submission(tmp_path, None)
    submitted = submission_time(notebook, tmp_path, {}, LONDON)
    assert submitted.at is None
    assert submitted.problem == "no submission time: no timestamp.txt, not a Canvas download name, not from a zip"


def extracted_zip(tmp_path: Path, members: dict[str, tuple[int, ...]]) -> tuple[Path, dict[str, datetime]]:
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, date_time in members.items():
            zipped.writestr(zipfile.ZipInfo(name, date_time=date_time), "{}")
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path / "extracted")
    return tmp_path / "extracted", zip_member_times(archive)


def test_time_from_the_zip_read_in_the_course_zone(tmp_path: Path) -> None:
    # One top folder: the extracted root is that folder, and keys carry it.
    extracted, times = extracted_zip(
        tmp_path, {"submissions/alice.ipynb": (2027, 7, 16, 9, 12, 0), "submissions/bob.ipynb": (2027, 1, 16, 9, 12, 0)}
    )
    assert times == {
        "submissions/alice.ipynb": datetime(2027, 7, 16, 9, 12),
        "submissions/bob.ipynb": datetime(2027, 1, 16, 9, 12),
    }
    root = extracted / "submissions"
    alice = submission_time(root / "alice.ipynb", root, times, LONDON)
    assert alice == SubmittedTime(utc(2027, 7, 16, 8, 12), "zip member time (read as Europe/London)", None)
    assert submission_time(root / "bob.ipynb", root, times, LONDON).at == utc(2027, 1, 16, 9, 12)  # GMT
    assert submission_time(root / "bob.ipynb", extracted, times, LONDON).at == utc(2027, 1, 16, 9, 12)


def test_the_zip_no_time_placeholder_is_no_time(tmp_path: Path) -> None:
    extracted, times = extracted_zip(tmp_path, {"alice.ipynb": (1980, 1, 1, 0, 0, 0)})
    submitted = submission_time(extracted / "alice.ipynb", extracted, times, LONDON)
    assert submitted.at is None
    assert "1980-01-01 00:00" in submitted.problem


CANVAS_ON_TIME = "doejane_101_5551234_01_linear_models.ipynb"


@pytest.mark.parametrize("marker", ["LATE", "late"])
def test_canvas_late_names(tmp_path: Path, marker: str) -> None:
    name = f"doejane_{marker}_101_5551234_01_linear_models-1.ipynb"
    extracted, times = extracted_zip(tmp_path, {name: (2027, 1, 16, 9, 12, 0)})
    with_time = submission_time(extracted / name, extracted, times, LONDON)
    assert with_time == SubmittedTime(
        utc(2027, 1, 16, 9, 12), "Canvas file name (LATE); time from the zip (read as Europe/London)", True
    )
    without = submission_time(extracted / name, extracted, {}, LONDON)
    assert (without.at, without.canvas_late) == (None, True)
    assert without.problem.startswith("Canvas marks it LATE but gives no time")
    assert "no penalty applied; the instructor may set one with an override" in without.problem


def test_canvas_on_time_names(tmp_path: Path) -> None:
    extracted, times = extracted_zip(tmp_path, {CANVAS_ON_TIME: (2027, 1, 15, 20, 0, 0)})
    with_time = submission_time(extracted / CANVAS_ON_TIME, extracted, times, LONDON)
    assert (with_time.at, with_time.canvas_late, with_time.problem) == (utc(2027, 1, 15, 20), False, "")
    assert with_time.source.startswith("Canvas file name (not marked late); time from the zip")
    assert submission_time(extracted / CANVAS_ON_TIME, extracted, {}, LONDON) == SubmittedTime(
        None, "Canvas file name (not marked late)", False
    )


# --- lateness ---------------------------------------------------------------------------------------


def test_on_time_says_nothing(policy: Policy) -> None:
    result = lateness(policy, [], "alice", "01_linear_models", at(utc(2027, 1, 15, 23, 59)), 10)
    assert result == Lateness(
        submitted_at=utc(2027, 1, 15, 23, 59), source="nbgrader timestamp.txt",
        due=datetime(2027, 1, 15, 23, 59, tzinfo=LONDON), extension="", late_by=timedelta(0), penalty=0.0,
        zeroed=False, flagged="", explanation="",
    )
    assert result.final_score(7.5) == 7.5


def test_one_minute_late_is_one_day(policy: Policy) -> None:
    result = lateness(policy, [], "alice", "01_linear_models", at(utc(2027, 1, 16, 0, 0)), 10)
    assert (result.late_by, result.penalty, result.zeroed) == (timedelta(minutes=1), 1.0, False)
    assert result.final_score(7.5) == 6.5
    assert result.explanation == (
        "Submitted 2027-01-16 00:00 GMT, 1 min after the due date 2027-01-15 23:59 GMT: "
        "1 day late at 10 % of 10 points per day (cap 50 %): 1 point off."
    )


def test_the_briefs_example(policy: Policy) -> None:
    result = lateness(policy, [], "alice", "01_linear_models", at(utc(2027, 1, 16, 9, 12)), 10)
    assert result.explanation.startswith("Submitted 2027-01-16 09:12 GMT, 9 h 13 min after the due date")


def test_hour_units(policy: Policy) -> None:
    # due 23:59 on 22 January; 2 h 1 min late is 3 started hours at 5 % of 20 points
    result = lateness(policy, [], "alice", "02_logistic_regression", at(utc(2027, 1, 23, 2, 0)), 20)
    assert result.penalty == 3.0
    assert "3 hours late at 5 % of 20 points per hour (cap 50 %): 3 points off." in result.explanation


def test_the_cap(policy: Policy) -> None:
    result = lateness(policy, [], "alice", "01_linear_models", at(utc(2027, 1, 22, 12)), 7)  # 7 started days
    assert result.penalty == 3.5  # 50 % of 7, not 70 %
    assert "7 days late at 10 % of 7 points per day capped at 50 %: 3.5 points off." in result.explanation
    assert result.final_score(2.0) == 0.0  # never below 0


def test_past_the_cutoff_scores_zero(policy: Policy) -> None:
    result = lateness(policy, [], "alice", "02_logistic_regression", at(utc(2027, 1, 25, 12, 1)), 10)
    assert result.zeroed
    assert result.final_score(10) == 0
    assert result.explanation == (
        "Submitted 2027-01-25 12:01 GMT, after the hard cutoff 2027-01-25 12:00 GMT: this submission scores 0."
    )
    assert not lateness(policy, [], "alice", "02_logistic_regression", at(utc(2027, 1, 25, 12)), 10).zeroed


def test_an_extension_moves_cutoff_days(tmp_path: Path, policy: Policy) -> None:
    extensions = extensions_of(tmp_path, policy, "alice,01_linear_models,2027-01-18 23:59,,illness\n")
    submitted = at(utc(2027, 1, 24, 12))  # past the base cutoff (22 January), before the moved one (25 January)
    result = lateness(policy, extensions, "alice", "01_linear_models", submitted, 10)
    assert not result.zeroed
    assert result.penalty == 5.0  # 5 started days after the 18th, 50 %
    assert result.explanation.startswith("Due date extended to 2027-01-18 23:59 GMT (illness). Submitted")
    assert "after the extended due date 2027-01-18 23:59 GMT" in result.explanation
    assert lateness(policy, [], "alice", "01_linear_models", submitted, 10).zeroed
    assert lateness(policy, extensions, "alice", "01_linear_models", at(utc(2027, 1, 26)), 10).zeroed


def test_an_extension_moves_an_absolute_cutoff(tmp_path: Path, policy: Policy) -> None:
    extensions = extensions_of(tmp_path, policy, "bob,*,,2,accessibility plan\n")
    result = lateness(policy, extensions, "bob", "02_logistic_regression", at(utc(2027, 1, 27, 11)), 10)
    assert not result.zeroed  # cutoff 25 January 12:00 moved by 2 days
    assert lateness(policy, extensions, "bob", "02_logistic_regression", at(utc(2027, 1, 27, 12, 1)), 10).zeroed


def test_on_time_thanks_to_an_extension(tmp_path: Path, policy: Policy) -> None:
    extensions = extensions_of(tmp_path, policy, "alice,01_linear_models,2027-01-18 23:59,,illness\n")
    result = lateness(policy, extensions, "alice", "01_linear_models", at(utc(2027, 1, 18, 12)), 10)
    assert (result.penalty, result.flagged) == (0.0, "")
    assert result.extension == "extended to 2027-01-18 23:59 GMT (illness)"
    assert result.explanation == "Due date extended to 2027-01-18 23:59 GMT (illness); submitted on time."
    other = lateness(policy, extensions, " alice ", "02_logistic_regression", at(utc(2027, 1, 22, 12)), 10)
    assert other.extension == ""


def test_canvas_late_without_a_time_is_flagged_not_penalised(tmp_path: Path, policy: Policy) -> None:
    name = "doejane_LATE_101_5551234_01_linear_models.ipynb"
    (tmp_path / name).write_text("{}")
    submitted = submission_time(tmp_path / name, tmp_path, {}, LONDON)
    result = lateness(policy, [], "doejane", "01_linear_models", submitted, 10)
    assert (result.penalty, result.zeroed, result.late_by) == (0.0, False, timedelta(0))
    assert result.flagged.startswith("Canvas marks it LATE but gives no time")
    assert "no late penalty has been applied" in result.explanation
    assert result.final_score(8) == 8


def test_canvas_late_with_a_zip_time_is_penalised(policy: Policy) -> None:
    submitted = SubmittedTime(utc(2027, 1, 17, 9), "Canvas file name (LATE); time from the zip", True)
    assert lateness(policy, [], "doejane", "01_linear_models", submitted, 10).penalty == 2.0


def test_canvas_on_time_against_a_late_zip_time_gives_the_benefit_of_the_doubt(policy: Policy) -> None:
    submitted = SubmittedTime(utc(2027, 1, 17, 9), "Canvas file name (not marked late); time from the zip", False)
    result = lateness(policy, [], "doejane", "01_linear_models", submitted, 10)
    assert (result.penalty, result.explanation) == (0.0, "")
    assert "Canvas does not mark it late" in result.flagged


def test_an_unknown_time_is_flagged(policy: Policy) -> None:
    submitted = SubmittedTime(None, "unknown", None, "no submission time: ...")
    result = lateness(policy, [], "alice", "01_linear_models", submitted, 10)
    assert (result.penalty, result.flagged) == (0.0, "no submission time: ...")
    assert result.explanation == "The submission time could not be determined, so no late penalty has been applied."


def test_canvas_user_id_is_read_from_a_download_name_only():
    assert canvas_user_id("doejane_LATE_101_5551234_01_linear_models-1.ipynb") == "101"
    assert canvas_user_id(CANVAS_ON_TIME) == "101"
    assert canvas_user_id("flatlearner_00_orientation.ipynb") is None
