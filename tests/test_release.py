"""notebooks/ is exactly what `make release` generates from solutions/, and leaks nothing."""

from __future__ import annotations

import json
import re

import pytest
from notebook_tools import (
    RELEASE,
    answer_cells,
    assignment_ids,
    graded_test_cells,
    graders_of,
    hidden_test_lines,
    nbgrader_meta,
    read,
    release_path,
    source_path,
)

from autograder.authoring import COMPETENCIES
from autograder.nbgrader_calls import generate_release

ASSIGNMENTS = assignment_ids()


def test_there_are_assignments_and_each_has_a_release():
    assert ASSIGNMENTS, "solutions/ holds no NN_slug/NN_slug.ipynb"
    released = sorted(p.name for p in RELEASE.iterdir() if p.is_dir())
    assert released == ASSIGNMENTS, "notebooks/ and solutions/ hold different modules: run `make release`"


def test_release_is_what_the_regeneration_command_produces(tmp_path):
    generate_release(tmp_path / "release", workspace=tmp_path / "workspace")
    for assignment in ASSIGNMENTS:
        fresh = json.loads((tmp_path / "release" / assignment / f"{assignment}.ipynb").read_text())
        committed = json.loads(release_path(assignment).read_text())
        assert fresh == committed, (
            f"notebooks/{assignment} is stale or was edited by hand. Fix solutions/ if needed, then "
            "run `make release` and commit notebooks/."
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_sources_are_stored_without_outputs(assignment):
    with_output = [i for i, c in enumerate(read(source_path(assignment)).cells) if c.get("outputs")]
    assert not with_output, f"solutions/{assignment}: clear the outputs of cells {with_output}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_no_hidden_test_no_key(assignment):
    source = read(source_path(assignment))
    release_text = release_path(assignment).read_text()
    assert "BEGIN SOLUTION" not in release_text and "HIDDEN TESTS" not in release_text
    released = "\n".join(c.source for c in read(release_path(assignment)).cells)
    # What the source shows a learner anyway: everything outside solution and hidden regions.
    visible = "\n".join(
        re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END (SOLUTION|HIDDEN TESTS)", "", c.source, flags=re.S)
        for c in source.cells
    )
    secret = [
        line.strip()
        for c in source.cells
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", c.source, flags=re.S)
        for line in region.splitlines()
        if len(line.strip()) > 12
    ] + hidden_test_lines(source)
    leaks = [line for line in secret if line in released and line not in visible]
    assert not leaks, f"notebooks/{assignment} reveals solution or hidden-test lines: {leaks[:5]}"


def test_the_package_holds_no_answer_key():
    package = "\n".join(p.read_text() for p in (RELEASE.parent / "coursekit").rglob("*.py"))
    for assignment in ASSIGNMENTS:
        source = read(source_path(assignment))
        secret = [line for line in hidden_test_lines(source) if "assert" in line or '": ' in line]
        found = [line for line in secret if line in package]
        assert not found, f"coursekit/ contains hidden-test lines of {assignment}: {found[:3]}"


def test_grade_ids_are_unique_named_and_tagged():
    seen = {}
    for assignment in ASSIGNMENTS:
        source = read(source_path(assignment))
        assert source.cells[0].cell_type == "markdown" and source.cells[0].source.startswith("# "), (
            f"{assignment}: start with the title and goals"
        )
        for cell in source.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if not grade_id:
                continue
            assert grade_id not in seen, f"grade_id {grade_id} used in {assignment} and {seen[grade_id]}"
            seen[grade_id] = assignment
        tests = graded_test_cells(source)
        for grade_id in answer_cells(source):
            assert grade_id.startswith("ex_"), f"{assignment}: answer cell {grade_id} should be ex_<what>"
            assert graders_of(grade_id, tests), f"{assignment}: {grade_id} has no test_<what> cell"
        for grade_id, cell in {**answer_cells(source), **tests}.items():
            assert grade_id.startswith(("ex_", "test_")), grade_id
            competency = cell.metadata.get("course", {}).get("competency")
            assert competency in COMPETENCIES, f"{assignment}: {grade_id} lacks a competency tag"
        assert len(answer_cells(source)) >= 3, f"{assignment}: at least three graded exercises"
