"""Instructor overrides (autograder/overrides.py) on hand-made results of a real assignment: what a
bad row says, how a row changes a result (and only its copy), and the history of a cell."""

from __future__ import annotations

import csv
import json

import pytest

from autograder import course, overrides
from autograder.results import Override, Result

ASSIGNMENT = "01_linear_models"
POINTS = course.points(ASSIGNMENT)
CELL = sorted(POINTS)[0]
HEADER = "learner_id,assignment,cell,points,reason,date\n"


def result(learner: str = "ada") -> Result:
    cells = {g: (0.0, m) for g, m in POINTS.items()}
    return Result(learner=learner, assignment=ASSIGNMENT, digest="0" * 64, source="", status="graded", reason="",
                  cells=cells, score=0.0, max_score=sum(POINTS.values())).with_competencies()


def written(tmp_path, *rows: str):
    (tmp_path / overrides.FILE).write_text(HEADER + "".join(r + "\n" for r in rows))
    return tmp_path


def test_no_file_means_no_overrides(tmp_path):
    assert overrides.read(tmp_path) == []


@pytest.mark.parametrize(("row", "said"), [
    (f"ada,{ASSIGNMENT},test_nothing,1,typo,", f"line 2: {ASSIGNMENT} has no graded cell 'test_nothing'"),
    (f"ada,99_nothing,{CELL},1,typo,", "line 2: no assignment '99_nothing'"),
    (f"ada,{ASSIGNMENT},{CELL},lots,typo,", "line 2: points 'lots' is not a number"),
    (f"ada,{ASSIGNMENT},{CELL},{POINTS[CELL] + 1:g},typo,", f"outside 0..{POINTS[CELL]:g}"),
    (f"ada,{ASSIGNMENT},{CELL},-1,typo,", "outside"),
    (f"ada,{ASSIGNMENT},{CELL},nan,typo,", "outside"),
    (f"ada,{ASSIGNMENT},{CELL},1,,", "line 2: no reason given"),
    (f"zed,{ASSIGNMENT},{CELL},1,typo,", "line 2: 'zed' has no submission of"),
])
def test_a_bad_row_names_its_line_and_what_to_fix(tmp_path, row, said):
    with pytest.raises(overrides.OverrideError, match=said.replace(".", r"\.").replace("(", r"\(")):
        overrides.read(written(tmp_path, row), {("ada", ASSIGNMENT)})


def test_a_missing_column_is_named(tmp_path):
    (tmp_path / overrides.FILE).write_text("learner_id,assignment,cell,points\nada,x,y,1\n")
    with pytest.raises(overrides.OverrideError, match="line 1 has no column reason"):
        overrides.read(tmp_path)


def test_applied_to_a_copy_score_and_competencies_follow_and_the_last_row_decides(tmp_path):
    folder = written(tmp_path, f"ada,{ASSIGNMENT},{CELL},1,first look,", "",
                     f"ada,{ASSIGNMENT},{CELL},{POINTS[CELL]:g},after review,2027-01-20")
    decided = overrides.read(folder, {("ada", ASSIGNMENT), ("ben", ASSIGNMENT)})
    assert [(o.line, o.points) for o in decided] == [(2, 1.0), (4, POINTS[CELL])]
    original = result("ada")
    ada, ben = overrides.apply([original, result("ben")], decided)
    assert ada.cells[CELL] == (POINTS[CELL], POINTS[CELL]) and ada.score == POINTS[CELL]
    assert [(o.cell, o.graded, o.reason) for o in ada.overrides] == [(CELL, 0.0, "after review")]
    tag = course.competencies(ASSIGNMENT)[CELL]
    assert ada.competencies[tag][0] == POINTS[CELL]
    assert ben == result("ben") and original == result("ada")  # nothing else, and no original, changes
    assert [o.line for o in overrides.superseded(decided)] == [2]
    with pytest.raises(ValueError, match="never recorded"):
        ada.to_json()
    assert json.loads(original.to_json())["score"] == 0.0 and "overrides" not in json.loads(original.to_json())


def test_append_keeps_earlier_rows_and_writes_a_header_once(tmp_path):
    for points in (1.0, 0.5):
        overrides.append(tmp_path, Override("ada", ASSIGNMENT, CELL, points, "a, quoted reason"))
    with (tmp_path / overrides.FILE).open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["points"], r["reason"]) for r in rows] == [("1", "a, quoted reason"), ("0.5", "a, quoted reason")]
    assert all(r["date"].endswith("UTC") for r in rows)
    assert [o.points for o in overrides.read(tmp_path)] == [1.0, 0.5]
