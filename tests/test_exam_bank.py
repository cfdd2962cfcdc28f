"""The mock exam's item bank graded by real nbgrader: every item of every slot, in one cohort run.

tests/test_grading.py grades module 09 as learners submit it by default (attempt 1, the first item of
every slot). Here one small cohort covers the rest of the bank: for attempts 1 to 3 (a learner's
first three attempts draw the three items of every slot), a learner types the solution, one the wrong
answer of every exercise at once (tests/wrong_answers; the exercises are graded independently), and
one per variant of tests/right_answers. Learners name their attempt in the notebook (``ATTEMPT``),
as a learner does; the grader reads the id from the submission's folder. One more learner answers
the labels and letters of attempt 1 but submits under attempt 2: the hidden tests grade attempt 2's
questions and say why the answers do not fit.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from notebook_tools import (
    answer_cells,
    fill,
    graded_test_cells,
    graders_of,
    read,
    release_path,
    right_answers,
    solution_answers,
    source_path,
    wrong_answers,
)
from test_grading import Cohort

from autograder.cohort import Options, grade_cohort
from autograder.exam_stats import attempt_of
from coursekit.exam import ExamPaper
from coursekit.exam_bank import SLOTS

ASSIGNMENT = "09_mock_exam"
ATTEMPTS = (1, 2, 3)
MISMATCH = "bank-mismatch"
LABEL_SLOTS = ("ex_exam_classify_mixed", "ex_exam_scenarios", "ex_exam_gray_cases")
pytestmark = pytest.mark.xdist_group("grade-09-bank")


def on_attempt(notebook, attempt: int):
    """The notebook with ATTEMPT set in the cell where the learner types their id."""
    notebook = nbformat.from_dict(notebook)
    cell = next(c for c in notebook.cells if re.match(r"\s*LEARNER_ID\s*=", c.source))
    cell.source = f'LEARNER_ID = ""\nATTEMPT = {attempt}\n'
    return notebook


def learner(attempt: int, who: str) -> str:
    """The learner who submits ``who``'s answers as ``attempt``. nbgrader takes one submission per
    learner, so each attempt is another learner; the one of attempt 3 is chosen so that its third
    paper shows, in every slot, the item the learner of attempt 2 would meet on their third attempt:
    attempts 1 to 3 then show every item of every slot, as they do for a single learner."""
    if attempt < 3:
        return f"bank-a{attempt}-{who}"
    wanted = ExamPaper(learner(2, who), 3).items
    return next(
        name for name in (f"bank-a3-{who}-{k}" for k in range(100_000)) if ExamPaper(name, 3).items == wanted
    )


@pytest.fixture(scope="module")
def bank_cohort(tmp_path_factory) -> Cohort:
    release = read(release_path(ASSIGNMENT))
    correct = solution_answers(ASSIGNMENT)
    wrong = wrong_answers(ASSIGNMENT)
    right = right_answers(ASSIGNMENT)
    learners = {}
    for attempt in ATTEMPTS:
        learners[learner(attempt, "solution")] = on_attempt(fill(release, correct), attempt)
        learners[learner(attempt, "wrong")] = on_attempt(fill(release, {**correct, **wrong}), attempt)
        for k in range(1, max(len(v) for v in right.values()) + 1):
            typed = {g: variants[k - 1] for g, variants in right.items() if len(variants) >= k}
            learners[learner(attempt, f"right-{k}")] = on_attempt(fill(release, {**correct, **typed}), attempt)
    # Labels and letters typed as literals for the paper of attempt 1, submitted as attempt 2.
    first = ExamPaper(MISMATCH, 1)
    typed_first = {
        "ex_exam_classify_mixed": f"mixed_labels = {dict.fromkeys(first.classify_items, 'neither')!r}",
        "ex_exam_scenarios": f"scenario_answers = {dict.fromkeys(first.scenarios, 'B')!r}",
        "ex_exam_gray_cases": f"gray_exam_labels = {dict.fromkeys(first.gray_items, 'neither')!r}",
    }
    learners[MISMATCH] = on_attempt(fill(release, {**correct, **typed_first}), 2)
    submissions = tmp_path_factory.mktemp("submitted-bank")
    for name, notebook in learners.items():
        folder = submissions / name / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / f"{ASSIGNMENT}.ipynb"))
    out = tmp_path_factory.mktemp("graded-bank")
    grade_cohort(submissions, out, Options(progress=False, compare_answers=False))
    return Cohort(ASSIGNMENT, out, submissions)


@pytest.mark.parametrize("who", ["solution", "wrong", "right-1", "right-2"])
def test_the_cohort_meets_every_item_of_the_bank(who):
    shown = {slot: {ExamPaper(learner(a, who), a).item(slot).id for a in ATTEMPTS} for slot in SLOTS}
    assert shown == {slot.name: {item.id for item in slot.items} for slot in SLOTS.values()}


def test_the_grader_rebuilds_each_attempts_paper(bank_cohort):
    for attempt in ATTEMPTS:
        name = learner(attempt, "solution")
        paper = ExamPaper(name, attempt)
        outputs = "\n".join(
            str(output.get("text", "")) + str(output.get("data", {}).get("text/markdown", ""))
            for cell in bank_cohort.autograded(name).cells
            for output in cell.get("outputs", [])
        )
        assert f"Paper of {name!r}, attempt {attempt}" in outputs
        assert paper.classify_items[0] in outputs and paper.tuning.param_key in outputs, name


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_correct_answers_earn_full_marks_on_every_item(bank_cohort, attempt):
    who = ["solution", *(f"right-{k}" for k in range(1, 1 + max(len(v) for v in right_answers(ASSIGNMENT).values())))]
    problems = {}
    for name in (learner(attempt, w) for w in who):
        lost = {cell: f"{score}/{maximum}" for cell, (score, maximum) in bank_cohort.scores(name).items()
                if score != maximum}
        if lost:
            problems[name] = lost
    items = {slot: item.id for slot, item in ExamPaper(learner(attempt, "solution"), attempt).items.items()}
    assert not problems, (
        f"attempt {attempt} (items {items}): correct answers lose points {problems}; autograded notebooks in "
        f"{bank_cohort.workspace / 'autograded'}"
    )


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_wrong_answers_lose_points_in_the_hidden_tests_of_every_item(bank_cohort, attempt):
    name = learner(attempt, "wrong")
    scores = bank_cohort.scores(name)
    tests = list(graded_test_cells(read(source_path(ASSIGNMENT))))
    autograded = graded_test_cells(bank_cohort.autograded(name))
    paper = ExamPaper(name, attempt)
    for grade_id in answer_cells(read(source_path(ASSIGNMENT))):
        graders = graders_of(grade_id, tests)
        item = paper.item(next(s.name for s in SLOTS.values() if s.answer_cell == grade_id)).id
        assert any(scores[t][0] < scores[t][1] for t in graders), f"{item}: the wrong answer earns full marks"
        for test_id in graders:
            errors = [o for o in autograded[test_id].outputs if o.output_type == "error"]
            assert not any(e.ename == "NotYet" for e in errors), (
                f"{item}: the wrong answer fails the visible test of {test_id}; it should reach the hidden one"
            )


def test_answers_for_another_attempt_are_graded_on_the_attempt_submitted_and_told_why(bank_cohort):
    scores = bank_cohort.scores(MISMATCH)
    autograded = graded_test_cells(bank_cohort.autograded(MISMATCH))
    tests = list(graded_test_cells(read(source_path(ASSIGNMENT))))
    for grade_id in LABEL_SLOTS:
        (test_id,) = graders_of(grade_id, tests)
        assert scores[test_id][0] < scores[test_id][1], grade_id
        text = "\n".join(str(o.get("text", "")) + str(o.get("evalue", "")) for o in autograded[test_id].outputs)
        assert "check LEARNER_ID and ATTEMPT" in text and "attempt 2" in text, text
    others = [t for t in tests if not any(t in graders_of(g, tests) for g in LABEL_SLOTS)]
    assert all(scores[t][0] == scores[t][1] for t in others), {t: scores[t] for t in others}


def test_the_report_shows_readiness_and_every_items_statistics(bank_cohort):
    """Each graded attempt is read back with its attempt number, so the report's item table counts
    every item of the bank with the learners who met it."""
    report = (bank_cohort.out / "report.html").read_text()
    assert f"Mock exam ({ASSIGNMENT}): readiness and items" in report and "Cohort readiness" in report
    met: dict[str, int] = {}
    for folder in bank_cohort.submissions.iterdir():
        attempt = int(re.search(r"ATTEMPT = (\d+)", (folder / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())[1])
        for item in ExamPaper(folder.name, attempt).items.values():
            met[item.id] = met.get(item.id, 0) + 1
    rows = dict(re.findall(r"<tr><td>([a-z0-9-]+)</td><td>(\d+)</td><td>[0-9.]+</td>", report))
    assert {item: int(n) for item, n in rows.items() if item in met} == met
    assert set(met) == {item.id for slot in SLOTS.values() for item in slot.items}


def test_the_attempt_is_read_from_the_record_then_the_attempt_line():
    cell = {"cell_type": "code", "source": 'LEARNER_ID = "ada"\nATTEMPT = 3  # the third\n', "metadata": {}}
    notebook = {"cells": [cell], "metadata": {}}
    assert attempt_of(json.dumps(notebook).encode()) == 3
    notebook["metadata"] = {"course": {"attempt": {"attempt": 4}}}
    assert attempt_of(json.dumps(notebook).encode()) == 4
    assert attempt_of(json.dumps({"cells": [], "metadata": {}}).encode()) == 1
    assert attempt_of(b"not json") == 1
