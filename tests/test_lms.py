"""Grades into Canvas and Moodle (autograder/lms.py): realistic exports in, files those LMS import
out, read back with the csv module and checked against the rules of Canvas' and Moodle's importers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from autograder.lms import LmsExport, RosterError, _format, _number, read_canvas_roster, write_canvas, write_moodle
from autograder.results import Result

# As Canvas exports it (lib/gradebook_exporter.rb): the Manual Posting row first, then Points
# Possible, numbers with two decimals, read-only totals, the Student View user last.
CANVAS = """\
Student,ID,SIS User ID,SIS Login ID,Integration ID,Section,Notes,01_linear_models (1001),\
02_logistic_regression (1002),03 KNN (1003),Participation (1099),Current Score,Unposted Current Score,\
Final Score,Unposted Final Score,Current Grade
,,,,,,,Manual Posting,,,,,,,,
    Points Possible,,,,,,,20.00,10.00,5.00,1.00,(read only),(read only),(read only),(read only),(read only)
"Doe, Jane",101,S001,jdoe,INT-1,Section A,,,7.50,,1.00,75.00,75.00,37.50,37.50,C
"Roe, Richard",102,S002,rroe,,Section A,"late, see email",12.00,N/A,,1.00,80.00,80.00,40.00,40.00,B
"Poe, Edgar",103,S003,EPoe,,Section B,,,,EX,,,,0.00,0.00,F
"Student, Test",104,,3f786850e387550fdab836ed7e6dc881de23001b,,Section A,,,,,,,,,,
"""
RUN_COLUMNS = {7, 9}                      # 01_linear_models and 03 KNN: the assignments of the run


def result(learner: str, assignment: str, score: float, max_score: float, status: str = "graded") -> Result:
    return Result(learner=learner, assignment=assignment, digest="0" * 64, source="", status=status,
                  reason="" if status == "graded" else "not a course notebook", score=score, max_score=max_score)


RESULTS = [
    result("jdoe", "01_linear_models", 8, 10),          # 8/10 of 20 points: 16
    result("jdoe", "03_knn", 3, 4),                     # 3/4 of 5 points: 3.75
    result("rroe", "03_knn", 1, 3),                     # 1/3 of 5 points: 1.67
    result("ghost", "01_linear_models", 5, 10),         # on no roster row
    result("jdoe", "05_svm", 2, 2),                     # no Canvas column
    result("rroe", "", 0, 0, status="invalid"),         # of no assignment
]


def rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f, delimiter=delimiter))


def export(tmp_path: Path, text: str = CANVAS, name: str = "canvas.csv", **kwargs) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(**kwargs) if kwargs else text.encode())
    return path


def test_canvas_fills_only_the_runs_cells_and_keeps_everything_canvas_checks(tmp_path):
    before = rows(export(tmp_path))
    done = write_canvas(read_canvas_roster(tmp_path / "canvas.csv"), RESULTS, tmp_path / "import.csv")
    after = rows(tmp_path / "import.csv")

    assert after[0] == before[0]                                  # same header, no extra columns
    assert len(after) == len(before)
    assert [r[:7] for r in after] == [r[:7] for r in before]      # same learners, same order, "Doe, Jane" whole
    assert after[1] == before[1] and after[2] == before[2]        # Manual Posting and Points Possible rows
    assert all(len(r) == len(before[0]) for r in after)
    for old, new in zip(before[3:], after[3:]):
        assert [c for i, c in enumerate(old) if i not in RUN_COLUMNS] == \
            [c for i, c in enumerate(new) if i not in RUN_COLUMNS]
    jane, richard, edgar, test_student = after[3:]
    assert (jane[7], jane[9]) == ("16", "3.75")
    assert (richard[7], richard[9]) == ("12.00", "1.67")          # Canvas' own grade kept: no result for it
    assert (edgar[7], edgar[9]) == ("", "EX")
    assert test_student == before[6]
    assert all(float(jane[c]) >= 0 and float(richard[c]) >= 0 for c in RUN_COLUMNS)

    assert done == LmsExport(
        path=tmp_path / "import.csv", filled=3,
        no_submission=[("rroe", "01_linear_models"), ("EPoe", "01_linear_models"), ("EPoe", "03_knn")],
        unmatched=[RESULTS[3]], unplaced=[RESULTS[4], RESULTS[5]], no_column=["05_svm"])
    assert (tmp_path / "import.csv").read_bytes().count(b"\r") == 0   # Canvas writes \n: so do we


def test_canvas_missing_zero_fills_empty_cells_only_and_matches_ignoring_case(tmp_path):
    roster = read_canvas_roster(export(tmp_path))
    done = write_canvas(roster, [result("epoe", "01_linear_models", 10, 10), *RESULTS[:3]], tmp_path / "out.csv",
                        missing="zero")
    after = rows(tmp_path / "out.csv")
    assert after[5][7] == "20"                                    # 'epoe' is 'EPoe' on the roster
    assert after[5][9] == "EX" and after[4][7] == "12.00"         # excused and graded cells never zeroed
    assert after[6] == rows(tmp_path / "canvas.csv")[6]           # the Student View user is no learner
    assert done.unmatched == [] and done.filled == 4


def test_canvas_semicolons_decimal_commas_bom_and_crlf_are_kept(tmp_path):
    text = CANVAS.replace(",", ";").replace("Doe; Jane", "Doe, Jane").replace("Roe; Richard", "Roe, Richard") \
        .replace("Poe; Edgar", "Poe, Edgar").replace("Student; Test", "Student, Test") \
        .replace("late; see", "late, see").replace("20.00", "20,00").replace("\n", "\r\n")
    path = export(tmp_path, "\ufeff" + text)
    write_canvas(read_canvas_roster(path), RESULTS, tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfStudent;ID;") and raw.count(b"\r\n") == raw.count(b"\n") == 7
    after = rows(tmp_path / "out.csv", delimiter=";")
    assert after[3][7] == "16" and after[2][7] == "20,00"         # scaled to the comma-decimal points possible
    assert after[3][0] == "Doe, Jane"


def test_canvas_without_points_possible_writes_raw_scores_and_match_on_canvas_id(tmp_path):
    text = "".join(line for line in CANVAS.splitlines(keepends=True) if "Points Possible" not in line)
    roster = read_canvas_roster(export(tmp_path, text), match_column="ID")
    write_canvas(roster, [result("101", "01_linear_models", 8, 10)], tmp_path / "out.csv")
    assert rows(tmp_path / "out.csv")[2][7] == "8"


def test_canvas_duplicate_ids_are_named_by_both_lines(tmp_path):
    # The note spans two lines: line numbers are the file's, not the row's.
    text = CANVAS.replace('"late, see email"', '"late,\nsee email"').replace(",EPoe,", ",jdoe,")
    with pytest.raises(RosterError) as error:
        read_canvas_roster(export(tmp_path, text))
    assert str(error.value).startswith(f"{tmp_path / 'canvas.csv'}, lines 4 and 7: the SIS Login ID 'jdoe' is on both")


def test_canvas_missing_columns_empty_ids_and_no_assignment_are_errors(tmp_path):
    header, rest = CANVAS.split("\n", 1)
    with pytest.raises(RosterError, match=r"canvas.csv, line 1: no column 'SIS Login ID'.*'ID' \(the Canvas"):
        read_canvas_roster(export(tmp_path, header.replace("SIS Login ID", "Login") + "\n" + rest))
    with pytest.raises(RosterError, match=r"line 1: no column 'Student', 'ID'"):
        read_canvas_roster(export(tmp_path, header.replace("Student,ID", "Name,Number") + "\n" + rest))
    with pytest.raises(RosterError, match=r"canvas.csv, line 5: 'Roe, Richard' has no SIS Login ID"):
        read_canvas_roster(export(tmp_path, CANVAS.replace(",rroe,", ",,")))
    no_assignment = header.replace("01_linear_models", "Quiz 1").replace("02_logistic_regression", "Quiz 2") \
        .replace("03 KNN", "Quiz 3")
    with pytest.raises(RosterError, match=r"line 1: no column is a course assignment; the columns are \['Notes', "
                                          r"'Quiz 1 \(1001\)'.*01_linear_models"):
        read_canvas_roster(export(tmp_path, no_assignment + "\n" + rest))
    with pytest.raises(RosterError, match=r"line 1: columns '01_linear_models \(1001\)' and '01 Linear Models"):
        read_canvas_roster(export(tmp_path, header.replace("Participation", "01 Linear Models") + "\n" + rest))
    with pytest.raises(RosterError, match=r"canvas.csv, byte 0: not UTF-8"):
        read_canvas_roster(export(tmp_path, CANVAS, encoding="utf-16"))


# As Moodle's gradebook export writes it (default user fields; no Username unless configured).
MOODLE = """\
First name,Last name,ID number,Institution,Department,Email address,Assignment: 01 linear models (Real),\
Course total (Real),Last downloaded from this course
Jane,Doe,S001,Uni,Stats,jdoe@example.edu,-,-,1700000000
Richard,Roe,S002,Uni,Stats,rroe@example.edu,12.00,12.00,1700000000
Edgar,"Poe, Jr.",S003,Uni,Stats,epoe@example.edu,-,-,1700000000
"""


def test_moodle_round_trip_through_its_export(tmp_path):
    roster = export(tmp_path, MOODLE, name="moodle.csv")
    results = [result("jdoe@example.edu", "01_linear_models", 7.5, 10), result("RROE@example.edu", "03_knn", 2.5, 3),
               result("ghost@example.edu", "01_linear_models", 1, 10)]
    done = write_moodle(results, tmp_path / "import.csv", identifier="email", roster=roster)
    assert rows(tmp_path / "import.csv") == [
        ["email", "01_linear_models", "03_knn"],
        ["jdoe@example.edu", "7.5", ""],
        ["rroe@example.edu", "", "2.5"],
        ["epoe@example.edu", "", ""],
    ]
    assert done.filled == 2 and done.unmatched == [results[2]]
    assert done.no_submission == [("jdoe@example.edu", "03_knn"), ("rroe@example.edu", "01_linear_models"),
                                  ("epoe@example.edu", "01_linear_models"), ("epoe@example.edu", "03_knn")]

    write_moodle(results, tmp_path / "zero.csv", identifier="idnumber", roster=roster, missing="zero")
    assert rows(tmp_path / "zero.csv")[1:] == [["S001", "0", "0"], ["S002", "0", "0"], ["S003", "0", "0"]]


def test_moodle_without_roster_and_its_errors(tmp_path):
    results = [result("ben", "03_knn", 4, 4), result("ana", "01_linear_models", 2.25, 10),
               result("ana", "", 0, 0, status="invalid")]
    done = write_moodle(results, tmp_path / "import.csv")
    assert (tmp_path / "import.csv").read_text() == "username,01_linear_models,03_knn\nana,2.25,\nben,,4\n"
    assert done.unplaced == [results[2]] and done.unmatched == []

    roster = export(tmp_path, MOODLE, name="moodle.csv")
    with pytest.raises(RosterError, match=r"moodle.csv, line 1: no column 'Username'.*'email' -> 'Email address'"):
        write_moodle(results, tmp_path / "x.csv", roster=roster)
    export(tmp_path, MOODLE.replace("rroe@", "jdoe@"), name="moodle.csv")
    with pytest.raises(RosterError, match=r"moodle.csv, lines 2 and 3: the Email address 'jdoe@example.edu'"):
        write_moodle(results, tmp_path / "x.csv", identifier="email", roster=roster)
    export(tmp_path, MOODLE.replace("S003", ""), name="moodle.csv")
    with pytest.raises(RosterError, match=r"moodle.csv, line 4: this learner has no ID number"):
        write_moodle(results, tmp_path / "x.csv", identifier="idnumber", roster=roster)
    with pytest.raises(ValueError, match="missing='blank'"):
        write_moodle(results, tmp_path / "x.csv", missing="blank")  # type: ignore[arg-type]
    assert not (tmp_path / "x.csv").exists()


def test_numbers_are_plain_decimals():
    assert [_format(x) for x in (0, -0.001, 16.0, 3.75, 1 / 3 * 5, 12345.678)] == ["0", "0", "16", "3.75", "1.67",
                                                                                 "12345.68"]
    assert [_number(x) for x in ("20.00", "20,00", " 7 ", "(read only)", "")] == [20.0, 20.0, 7.0, None, None]


def test_mock_exam_attempts_give_the_lms_each_learners_best_attempt(tmp_path):
    """Each timed attempt is graded as a submission of its own (``<learner>+attempt-<N>``); the LMS has one
    cell per learner, so the best final score goes there under the learner's own id (a plain submission
    competes too; a failed grading never beats a graded one; on a tie the later attempt)."""
    exam = "09_mock_exam"
    results = [result("ana+attempt-1", exam, 12, 25), result("ana+attempt-2", exam, 20, 25),
               result("ana+attempt-3", exam, 17, 25), result("ben", exam, 10, 25),
               result("ben+attempt-1", exam, 14, 25), result("cy+attempt-1", exam, 0, 25, status="crashed"),
               result("cy+attempt-2", exam, 0, 25), result("dee+attempt-1", exam, 9, 25),
               result("dee+attempt-2", exam, 9, 25)]
    done = write_moodle(results, tmp_path / "import.csv")
    assert rows(tmp_path / "import.csv") == [
        ["username", exam], ["ana", "20"], ["ben", "14"], ["cy", "0"], ["dee", "9"]]
    assert sorted(r.learner for r in done.other_attempts) == [
        "ana+attempt-1", "ana+attempt-3", "ben", "cy+attempt-1", "dee+attempt-1"]
    assert done.unmatched == [] and done.filled == 4
    canvas = CANVAS.replace("03 KNN (1003)", "09_mock_exam (1009)")
    done = write_canvas(read_canvas_roster(export(tmp_path, canvas), "SIS Login ID"),
                        [result("jdoe+attempt-1", exam, 5, 25), result("jdoe+attempt-2", exam, 20, 25),
                         result("EPoe+attempt-1", exam, 25, 25)], tmp_path / "canvas-import.csv")
    written = rows(tmp_path / "canvas-import.csv")
    assert written[3][9] == "4" and written[5][9] == "5"  # 20/25 and 25/25 of 5 points
    assert [r.learner for r in done.other_attempts] == ["jdoe+attempt-1"] and done.unmatched == []
