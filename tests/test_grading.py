"""Real nbgrader on real submissions: every assignment is released, submitted by a small cohort
(the solution typed into the release, the release untouched, one plausible wrong answer per
exercise, and learners right-1, right-2, ... who type the k-th correct variant of every exercise
from tests/right_answers/) and graded with the course's grading command, which runs nbgrader's
autograde, generate_feedback and CSV export."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from notebook_tools import (
    answer_cells,
    assignment_ids,
    fill,
    graded_test_cells,
    graders_of,
    hidden_test_lines,
    nbgrader_meta,
    read,
    release_path,
    right_answers,
    solution_answers,
    source_path,
    wrong_answers,
)

from autograder import sandbox
from autograder.cohort import Options, grade_cohort

SOLUTION, UNTOUCHED = "solution", "untouched"
MIN_RIGHT_ANSWERS = 2


def right_learner(k: int) -> str:
    """The learner who types variant k (1-based) of every answer cell that has one."""
    return f"right-{k}"


def right_variants_typed(assignment: str, k: int) -> dict[str, str]:
    """Answer cells whose variant k learner right-k types (the others keep the solution)."""
    return {grade_id: variants[k - 1] for grade_id, variants in right_answers(assignment).items() if len(variants) >= k}


class Cohort:
    def __init__(self, assignment: str, out: Path, submissions: Path):
        self.assignment = assignment
        self.out = out
        self.submissions = submissions
        self.workspace = out / "workspace"

    def scores(self, learner: str) -> dict[str, tuple[float, float]]:
        """(score, max_score) of every graded cell of one learner's submission."""
        with Gradebook(f"sqlite:///{self.workspace / 'gradebook.db'}") as gradebook:
            notebook = gradebook.find_submission_notebook(self.assignment, self.assignment, learner)
            return {g.name: (g.score, g.max_score) for g in notebook.grades}

    def autograded(self, learner: str) -> nbformat.NotebookNode:
        return read(self.workspace / "autograded" / learner / self.assignment / f"{self.assignment}.ipynb")

    def feedback_text(self, learner: str) -> str:
        page = (self.out / "feedback" / learner / self.assignment / f"{self.assignment}.html").read_text()
        return html.unescape(re.sub(r"<[^>]+>", "", page))

    def grades_csv(self) -> dict[str, dict]:
        with (self.out / "grades.csv").open() as f:
            return {row["learner_id"]: row for row in csv.DictReader(f)}


_cohorts: dict[str, Cohort] = {}


def graded_cohort(assignment: str, tmp_path_factory) -> Cohort:
    """Submit and grade once per assignment (per test worker); later tests reuse the result."""
    if assignment not in _cohorts:
        release = read(release_path(assignment))
        submissions = tmp_path_factory.mktemp(f"submitted-{assignment}")
        learners = {
            SOLUTION: fill(release, solution_answers(assignment)),
            UNTOUCHED: release,
        }
        correct = solution_answers(assignment)
        for grade_id, wrong in wrong_answers(assignment).items():
            learners[f"wrong-{grade_id}"] = fill(release, {**correct, grade_id: wrong})
        # One extra learner per variant index, not per variant: keeps the cohort small.
        most = max((len(v) for v in right_answers(assignment).values()), default=0)
        for k in range(1, most + 1):
            learners[right_learner(k)] = fill(release, {**correct, **right_variants_typed(assignment, k)})
        for learner, notebook in learners.items():
            folder = submissions / learner / assignment
            folder.mkdir(parents=True)
            nbformat.write(notebook, str(folder / f"{assignment}.ipynb"))
        out = tmp_path_factory.mktemp(f"graded-{assignment}")
        grade_cohort(submissions, out, Options(progress=False))
        _cohorts[assignment] = Cohort(assignment, out, submissions)
    return _cohorts[assignment]


def per_assignment():
    # All tests of one assignment run on the same xdist worker, so its cohort is graded once.
    return pytest.mark.parametrize(
        "assignment",
        [pytest.param(a, marks=pytest.mark.xdist_group(f"grade-{a}")) for a in assignment_ids()],
    )


@pytest.mark.parametrize("assignment", assignment_ids())
def test_setup_cell_keeps_warnings_from_zeroing_test_cells(assignment):
    """nbgrader scores a test cell 0 when it writes to stderr: a warning raised by a learner's code
    would zero a correct answer. A locked setup cell (restored at autograde, so it cannot be
    removed) calls coursekit.checks.keep_checks_off_stderr() before the first answer cell."""
    cells = read(source_path(assignment)).cells
    first_answer = next(i for i, c in enumerate(cells) if nbgrader_meta(c).get("solution"))
    calls = [
        i for i, c in enumerate(cells[:first_answer])
        if c.cell_type == "code"
        and nbgrader_meta(c).get("locked")
        and not nbgrader_meta(c).get("grade")
        and any(line.strip().startswith("keep_checks_off_stderr()") for line in c.source.splitlines())
    ]
    assert calls, f"{assignment}: no locked setup cell calls keep_checks_off_stderr() before the first exercise"


@per_assignment()
def test_solution_earns_full_marks(assignment, tmp_path_factory):
    cohort = graded_cohort(assignment, tmp_path_factory)
    lost = {
        name: f"{score}/{maximum}"
        for name, (score, maximum) in cohort.scores(SOLUTION).items()
        if score != maximum
    }
    assert not lost, (
        f"{assignment}: the solution loses points in {lost}. A test cell scores 0 when it raises "
        "or writes to stderr (a warning counts): look at the autograded notebook in "
        f"{cohort.workspace / 'autograded' / SOLUTION}"
    )
    row = cohort.grades_csv()[SOLUTION]
    assert float(row["score"]) == float(row["max_score"]) > 0


@per_assignment()
def test_untouched_release_earns_zero(assignment, tmp_path_factory):
    cohort = graded_cohort(assignment, tmp_path_factory)
    earned = {name: score for name, (score, _) in cohort.scores(UNTOUCHED).items() if score}
    assert not earned, f"{assignment}: an untouched release earns points in {earned}"
    assert float(cohort.grades_csv()[UNTOUCHED]["score"]) == 0


@per_assignment()
def test_nbgrader_export_agrees_with_grades_csv(assignment, tmp_path_factory):
    cohort = graded_cohort(assignment, tmp_path_factory)
    with (cohort.out / "nbgrader-grades.csv").open() as f:
        exported = {row["student_id"]: row for row in csv.DictReader(f) if row["assignment"] == assignment}
    ours = cohort.grades_csv()
    assert set(exported) == set(ours), "nbgrader's export and grades.csv list different learners"
    for learner, row in ours.items():
        # The same scores, summed in another order (partial credit such as 3.53 is not exact in binary).
        assert float(exported[learner]["score"]) == pytest.approx(float(row["score"]), abs=1e-6), learner
        assert float(exported[learner]["max_score"]) == pytest.approx(float(row["max_score"]), abs=1e-6), learner


@per_assignment()
def test_every_exercise_has_a_wrong_answer_that_hidden_tests_catch(assignment, tmp_path_factory):
    source = read(source_path(assignment))
    exercises = answer_cells(source)
    wrong = wrong_answers(assignment)
    missing = sorted(set(exercises) - set(wrong))
    assert not missing, f"tests/wrong_answers/{assignment}.py has no wrong answer for {missing}"
    cohort = graded_cohort(assignment, tmp_path_factory)
    all_tests = list(graded_test_cells(source))
    for grade_id in exercises:
        learner = f"wrong-{grade_id}"
        scores = cohort.scores(learner)
        graders = graders_of(grade_id, all_tests)
        assert graders, f"{assignment}: no test cell named test_{grade_id.removeprefix('ex_')}"
        assert any(scores[t][0] < scores[t][1] for t in graders), (
            f"{assignment}: the wrong answer to {grade_id} still earns full marks in {graders}"
        )
        # The wrong answers are written to pass the visible checks: the points must be lost in
        # the hidden part, or a learner could pass by satisfying the visible test alone.
        autograded = graded_test_cells(cohort.autograded(learner))
        for test_id in graders:
            errors = [o for o in autograded[test_id].outputs if o.output_type == "error"]
            assert not any(e.ename == "NotYet" for e in errors), (
                f"{assignment}: the wrong answer to {grade_id} was caught by the visible test of "
                f"{test_id}; make it pass the visible checks so it tests the hidden ones"
            )
        others = [t for t in all_tests if t not in graders]
        assert all(scores[t][0] == scores[t][1] for t in others), (
            f"{assignment}: a wrong {grade_id} also costs points in other exercises "
            f"{[t for t in others if scores[t][0] != scores[t][1]]}; exercises should be independent"
        )


@per_assignment()
def test_every_exercise_has_right_answers_that_earn_full_marks(assignment, tmp_path_factory):
    """A correct answer written differently from the solution (another API, another code shape,
    another defensible label of a gray item) must not lose a point: the hidden tests are fair."""
    source = read(source_path(assignment))
    exercises = answer_cells(source)
    right = right_answers(assignment)
    few = {g: len(right.get(g, [])) for g in exercises if len(right.get(g, [])) < MIN_RIGHT_ANSWERS}
    assert not few, (
        f"tests/right_answers/{assignment}.py needs at least {MIN_RIGHT_ANSWERS} correct answers, "
        f"written differently from the solution, for each answer cell; it has {few}"
    )
    unknown = sorted(set(right) - set(exercises))
    assert not unknown, f"tests/right_answers/{assignment}.py names no answer cell of the module: {unknown}"
    solution = solution_answers(assignment)

    def squeezed(code: str) -> str:
        return "".join(code.split())

    for grade_id, variants in right.items():
        assert all(squeezed(v) != squeezed(solution[grade_id]) for v in variants), (
            f"{assignment}: a right answer to {grade_id} is the solution itself; write it differently"
        )
        assert len({squeezed(v) for v in variants}) == len(variants), (
            f"{assignment}: two right answers to {grade_id} are the same"
        )
    cohort = graded_cohort(assignment, tmp_path_factory)
    all_tests = list(graded_test_cells(source))
    problems = []
    for k in range(1, max(len(v) for v in right.values()) + 1):
        learner = right_learner(k)
        typed = right_variants_typed(assignment, k)
        autograded = graded_test_cells(cohort.autograded(learner))
        for test_id, (score, maximum) in cohort.scores(learner).items():
            if score == maximum:
                continue
            suspects = [g for g in typed if test_id in graders_of(g, all_tests)] or sorted(typed)
            outputs = autograded[test_id].outputs if test_id in autograded else []
            errors = [f"{o.ename}: {o.evalue}"[:300] for o in outputs if o.output_type == "error"]
            stderr = [o.text.strip()[:300] for o in outputs if o.output_type == "stream" and o.name == "stderr"]
            problems.append(
                f"{learner} (variant {k} of {', '.join(suspects)}) scores {score}/{maximum} in {test_id}"
                + (f"; it raised {errors}" if errors else "")
                + (f"; it wrote to stderr {stderr}" if stderr else "")
            )
    assert not problems, (
        f"{assignment}: correct answers lose points (an unfair test: fix the test, not the answer; "
        f"autograded notebooks in {cohort.workspace / 'autograded'}):\n" + "\n".join(problems)
    )


@per_assignment()
def test_warm_and_cold_kernels_give_the_same_grades(assignment, tmp_path_factory):
    """The cohort was graded on warm kernels (forked from each worker's template); graded again
    with a new interpreter per notebook, every learner (the solution, the untouched release, each
    wrong answer, each right variant) gets the same status, reason and points in every cell."""
    warm = graded_cohort(assignment, tmp_path_factory)
    assert json.loads((warm.out / ".work" / "last_run.json").read_text())["warm"] == (sandbox.probe() is None)
    out = tmp_path_factory.mktemp(f"cold-{assignment}")
    grade_cohort(warm.submissions, out, Options(progress=False, warm=False))
    cold = Cohort(assignment, out, warm.submissions)
    assert cold.grades_csv() == warm.grades_csv()
    for learner in warm.grades_csv():
        assert cold.scores(learner) == warm.scores(learner), learner


@per_assignment()
def test_feedback_shows_scores_but_never_hidden_tests(assignment, tmp_path_factory):
    cohort = graded_cohort(assignment, tmp_path_factory)
    assert hidden_test_lines(read(source_path(assignment))), f"{assignment} has no hidden tests"
    # Secrets: hidden lines the released notebook does not already show anyway.
    shown = "\n".join(c.source for c in read(release_path(assignment)).cells)
    secrets = [line for line in hidden_test_lines(read(source_path(assignment))) if line not in shown]
    learners = [d.name for d in (cohort.out / "feedback").iterdir()]
    assert set(learners) >= {SOLUTION, UNTOUCHED}
    for learner in learners:
        text = cohort.feedback_text(learner)
        assert "HIDDEN TESTS" not in text, f"{learner}'s feedback shows a hidden-test marker"
        # A learner's own answer may share lines with a key (a right label is a right label).
        typed = "\n".join(c.source for c in answer_cells(cohort.autograded(learner)).values())
        leaked = [line for line in secrets if line in text and line not in typed]
        assert not leaked, f"{learner}'s feedback reveals hidden test lines: {leaked[:3]}"
    total = sum(maximum for _, maximum in cohort.scores(SOLUTION).values())
    assert re.search(rf"Score:\s*{total:g}(\.0+)?\s*/\s*{total:g}", cohort.feedback_text(SOLUTION)), (
        "the solution's feedback should show its full score"
    )


@per_assignment()
def test_each_learner_gets_a_competency_report(assignment, tmp_path_factory):
    cohort = graded_cohort(assignment, tmp_path_factory)
    tags = {
        cell.metadata["course"]["competency"]
        for cell in graded_test_cells(read(source_path(assignment))).values()
    }
    with (cohort.out / "competencies.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == assignment]
    solution = {
        r["competency"]: (float(r["score"]), float(r["max_score"])) for r in rows if r["learner_id"] == SOLUTION
    }
    assert set(solution) == tags, f"{assignment}: competencies in the report {set(solution)} != tags {tags}"
    assert all(score == maximum > 0 for score, maximum in solution.values())
    untouched = [float(r["score"]) for r in rows if r["learner_id"] == UNTOUCHED]
    assert untouched and not any(untouched)
    page = cohort.out / "feedback" / SOLUTION / assignment / "competencies.html"
    assert all(tag in page.read_text() for tag in tags)
