"""The mock exam (09) is fair between papers: every item asks the same thing on every paper, every
correct answer earns full marks on every paper, and each typical mistake costs the same on every
paper (issue 19: a naive count that scored full marks on half the papers and nothing on others, a
lasso whose key mistake cost 0 to 3 points, letters graded on a paper the learner never saw).

Fast and without nbgrader: the solution notebook's own cells run in this process. For each
simulated learner id, the cells that set up and show the paper run once; then an answer (the
solution, each right answer of tests/right_answers, the wrong answer of tests/wrong_answers, and
the typical mistakes below) runs on a copy of that namespace, followed by the test cells that grade
it, scored as nbgrader scores them: an exception scores 0, a number ending the cell is partial
credit, anything else full points. So there is one definition of everything: the paper comes from
coursekit.exam, the scoring from the notebook's hidden tests.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import re
import warnings

import numpy as np
import pytest
from notebook_tools import (
    answer_cells,
    graded_test_cells,
    graders_of,
    nbgrader_meta,
    read,
    right_answers,
    solution_answers,
    source_path,
    wrong_answers,
)
from sklearn.linear_model import Lasso
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import coursekit
import coursekit.checks
import coursekit.exam
from coursekit.exam import DIABETES_SPLIT_SEEDS, LASSO_ALPHAS, PRACTICE_ID, ExamPaper

ASSIGNMENT = "09_mock_exam"
SOURCE = read(source_path(ASSIGNMENT))
ANSWERS = solution_answers(ASSIGNMENT)
RIGHT = right_answers(ASSIGNMENT)
WRONG = wrong_answers(ASSIGNMENT)
TESTS = graded_test_cells(SOURCE)
POINTS = {grade_id: float(nbgrader_meta(cell)["points"]) for grade_id, cell in TESTS.items()}
# The cells that set up and show the paper: neither answers nor tests, nor the cell the learner
# types an id into (each simulated learner's id is set directly).
CONTEXT = [
    cell.source
    for cell in SOURCE.cells
    if cell.cell_type == "code"
    and cell.source not in {c.source for c in answer_cells(SOURCE).values()}
    and cell.source not in {c.source for c in TESTS.values()}
    and not re.match(r"\s*LEARNER_ID\s*=", cell.source)
]

# A few hundred simulated ids, and the ids the grading tests use.
PAPERS = [f"candidate-{i:03d}" for i in range(200)] + [
    PRACTICE_ID, "solution", "untouched", "right-1", "right-2", "right-3",
    *(f"wrong-{grade_id}" for grade_id in WRONG),
]
# The tuning task fits about forty SVMs per answer: a handful of papers shows it is paper-blind.
SVM_PAPERS = ["candidate-000", "candidate-001", PRACTICE_ID, "wrong-ex_exam_tune_svm"]
SVM_ITEM = "ex_exam_tune_svm"

# Typical mistakes, as a learner would type them: name -> (answer cell, points lost on every paper).
MISTAKES = {
    "ex_exam_count_learned": {
        "one output per class (two for the binary model)": ('''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, n_classes]
lr_features, lr_classes = exam.logistic_shape
learned_counts = {
    "mlp": sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])),
    "logistic": lr_classes * (lr_features + 1),
}
''', 1.0),
        "weights only, no biases": ('''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, n_classes]
lr_features, lr_classes = exam.logistic_shape
learned_counts = {
    "mlp": sum(a * b for a, b in zip(sizes[:-1], sizes[1:])),
    "logistic": lr_features,
}
''', 2.0),
        "one output fewer than classes (a reference class) for the network": ('''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, n_classes - 1]
lr_features, lr_classes = exam.logistic_shape
learned_counts = {
    "mlp": sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])),
    "logistic": lr_features + 1,
}
''', 1.0),
    },
    "ex_exam_lasso_survivors": {
        "not standardised (default max_iter)": ('''
raw = Lasso(alpha=exam.lasso_alpha).fit(diabetes.X_train, diabetes.y_train)
lasso_kept = [name for name, weight in zip(diabetes.X_train.columns, raw.coef_) if weight != 0]
''', 3.0),
        "not standardised (run to convergence)": ('''
raw = Lasso(alpha=exam.lasso_alpha, max_iter=1_000_000, tol=1e-8).fit(diabetes.X_train, diabetes.y_train)
lasso_kept = [name for name, weight in zip(diabetes.X_train.columns, raw.coef_) if weight != 0]
''', 3.0),
        "the features set to zero instead of the survivors": ('''
model = make_pipeline(StandardScaler(), Lasso(alpha=exam.lasso_alpha)).fit(diabetes.X_train, diabetes.y_train)
lasso_kept = [name for name, weight in zip(diabetes.X_train.columns, model[-1].coef_) if weight == 0]
''', 3.0),
    },
    "ex_exam_search_budget": {
        "refit forgotten": ('''
candidates = budget["n_C"] * budget["n_gamma"]
budget_answers = {
    "grid_fits": budget["inner_folds"] * candidates,
    "nested_fits": budget["outer_folds"] * budget["inner_folds"] * candidates,
    "grid_distinct_C": budget["n_C"],
    "random_distinct_C": candidates,
}
''', 1.5),
        "random search tries as many values of C as the grid": ('''
candidates = budget["n_C"] * budget["n_gamma"]
budget_answers = {
    "grid_fits": budget["inner_folds"] * candidates + 1,
    "nested_fits": budget["outer_folds"] * (budget["inner_folds"] * candidates + 1),
    "grid_distinct_C": budget["n_C"],
    "random_distinct_C": budget["n_C"],
}
''', 0.75),
    },
    "ex_exam_scenarios": {
        "the first option everywhere": ('''
scenario_answers = {"imbalance": "A", "defaults": "A", "test_reuse": "A", "prepared_data": "A"}
''', 4.0),
    },
}
# Answers typed by hand on another paper than the one grading them: only letters may be typed by
# hand (the exercises ask for code everywhere else), and they must mean the same on every paper.
TYPED_ON_ANOTHER_PAPER = {"ex_exam_scenarios": ("scenario_answers", [PRACTICE_ID, "jdoe24", "candidate-999"])}


@functools.cache
def compiled(source: str):
    """A cell's statements, and its last expression apart (its value is the cell's result)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = compile(tree, "<cell>", "exec")
    return body, None if last is None else compile(ast.Expression(last.value), "<cell>", "eval")


def run_cell(source: str, namespace: dict):
    """Run a cell as the kernel would; returns the value of its last expression (or None)."""
    body, last = compiled(source)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the setup cell routes warnings to stdout at grading time
        exec(body, namespace)
        return None if last is None else eval(last, namespace)


def points_earned(test_id: str, namespace: dict) -> float:
    """nbgrader's rule: an error scores 0; a number as the cell's result is partial credit."""
    try:
        value = run_cell(TESTS[test_id].source, namespace)
    except Exception:
        return 0.0
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value)
    return POINTS[test_id]


def item_points(grade_id: str) -> float:
    return sum(POINTS[t] for t in graders_of(grade_id, TESTS))


@pytest.fixture(scope="module")
def grading_environment():
    """A kernel outside any autograde folder and hub, with the shipped tables read once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("JUPYTERHUB_USER", raising=False)
        # The setup cell would send this process's stderr to stdout; a kernel of its own does that.
        patch.setattr(coursekit.checks, "keep_checks_off_stderr", lambda: None)
        for module in (coursekit, coursekit.exam):
            for loader in ("load_diabetes", "load_breast_cancer"):
                cached = functools.lru_cache(getattr(module, loader))
                patch.setattr(module, loader, lambda cached=cached: tuple(part.copy() for part in cached()))
        yield


def paper_namespace(learner_id: str) -> dict:
    namespace = {"__name__": "__main__", "LEARNER_ID": learner_id}
    for source in CONTEXT:
        run_cell(source, namespace)
    assert namespace["exam"].learner_id == learner_id
    return namespace


def score(grade_id: str, answer: str, namespace: dict) -> float:
    """Points an answer cell earns in the test cells that grade it, on the paper of ``namespace``."""
    graded = dict(namespace)
    try:
        run_cell(answer, graded)
    except Exception:
        return 0.0
    return sum(points_earned(test_id, graded) for test_id in graders_of(grade_id, TESTS))


def answers_of(grade_id: str) -> dict[str, tuple[str, float]]:
    """Every answer to run for an item: name -> (answer cell, points it must lose on every paper)."""
    answers = {"solution": (ANSWERS[grade_id], 0.0)}
    answers |= {f"right-{k}": (variant, 0.0) for k, variant in enumerate(RIGHT.get(grade_id, []), start=1)}
    answers |= MISTAKES.get(grade_id, {})
    return answers


@pytest.fixture(scope="module")
def lost_points(grading_environment):
    """lost[item][answer name] = {learner id: points lost}, for every item but the tuning task."""
    lost: dict[str, dict[str, dict[str, float]]] = {}
    typed = {}
    for grade_id, (variable, typed_on) in TYPED_ON_ANOTHER_PAPER.items():
        for other in typed_on:
            namespace = dict(paper_namespace(other))
            run_cell(ANSWERS[grade_id], namespace)
            typed[grade_id, other] = (f"{variable} = {namespace[variable]!r}", 0.0)
    for learner in PAPERS:
        namespace = paper_namespace(learner)
        for grade_id in ANSWERS:
            if grade_id == SVM_ITEM:
                continue
            answers = answers_of(grade_id)
            answers["wrong"] = (WRONG[grade_id], None)
            answers |= {
                f"typed on the paper of {other!r}": answer for (g, other), answer in typed.items() if g == grade_id
            }
            for name, (answer, _) in answers.items():
                earned = score(grade_id, answer, namespace)
                lost.setdefault(grade_id, {}).setdefault(name, {})[learner] = item_points(grade_id) - earned
    return lost


def test_every_paper_counts_one_binary_and_one_multiclass_model():
    for learner in PAPERS:
        paper = ExamPaper(learner)
        _, mlp_classes, _ = paper.mlp_layers
        _, logistic_classes = paper.logistic_shape
        assert mlp_classes >= 3 and logistic_classes == 2, (
            f"{learner}: the network has {mlp_classes} classes and the logistic regression {logistic_classes}; "
            "every paper must count one multi-class and one binary model"
        )


def test_every_paper_draws_its_lasso_from_the_vetted_combinations():
    for learner in PAPERS:
        paper = ExamPaper(learner)
        assert paper.lasso_alpha in LASSO_ALPHAS and paper.diabetes.random_state in DIABETES_SPLIT_SEEDS


def lasso_combination_problems(X, y, seed: int, alphas) -> list[str]:
    """Why a split seed and a penalty would make an unfair lasso item (empty when fair)."""
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=seed)
    scaled = StandardScaler().fit_transform(X_train)
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alpha in alphas:
            kept = [
                frozenset(np.flatnonzero(Lasso(alpha=alpha * factor).fit(scaled, y_train).coef_))
                for factor in (0.98, 1, 1.02)
            ]
            if len(set(kept)) > 1:
                problems.append(f"seed {seed}, alpha {alpha}: a feature sits on its threshold (alpha ± 2 % moves it)")
                continue
            for max_iter in (1000, 1_000_000):
                raw = Lasso(alpha=alpha, max_iter=max_iter).fit(X_train, y_train)
                if len(kept[1] ^ frozenset(np.flatnonzero(raw.coef_))) < 2:
                    problems.append(
                        f"seed {seed}, alpha {alpha}: a lasso on raw units (max_iter={max_iter}) keeps almost the same "
                        "set, so forgetting to standardise would cost less than on other papers"
                    )
    return problems


def test_every_lasso_combination_is_equally_hard():
    """Exhaustive: every penalty with every split a paper can draw."""
    X, y = coursekit.exam.load_diabetes()
    problems = [p for seed in DIABETES_SPLIT_SEEDS for p in lasso_combination_problems(X, y, seed, LASSO_ALPHAS)]
    assert not problems, problems[:5]


@pytest.mark.parametrize("grade_id", [g for g in ANSWERS if g != SVM_ITEM])
def test_right_answers_earn_full_marks_on_every_paper(grade_id, lost_points):
    for name in answers_of(grade_id):
        if name.startswith(("solution", "right-")):
            losing = {learner: lost for learner, lost in lost_points[grade_id][name].items() if lost}
            assert not losing, (
                f"{grade_id}: the {name} answer loses points on {len(losing)} papers, e.g. {list(losing.items())[:3]}"
            )


@pytest.mark.parametrize("grade_id", [g for g in ANSWERS if g != SVM_ITEM])
def test_each_mistake_costs_the_same_on_every_paper(grade_id, lost_points):
    for name, (_, expected) in {**answers_of(grade_id), "wrong": (WRONG[grade_id], None)}.items():
        costs = lost_points[grade_id][name]
        assert len(set(costs.values())) == 1, (
            f"{grade_id}: '{name}' costs different points on different papers: "
            f"{ {cost: sum(c == cost for c in costs.values()) for cost in set(costs.values())} } (points lost: papers)"
        )
        cost = next(iter(costs.values()))
        if expected is not None:
            assert cost == expected, f"{grade_id}: '{name}' costs {cost} points, expected {expected}"
        else:
            assert cost > 0, f"{grade_id}: the wrong answer of tests/wrong_answers earns full marks"


def test_letters_typed_on_another_paper_keep_their_meaning(lost_points):
    for grade_id, (_, typed_on) in TYPED_ON_ANOTHER_PAPER.items():
        for other in typed_on:
            costs = lost_points[grade_id][f"typed on the paper of {other!r}"]
            assert not any(costs.values()), (
                f"{grade_id}: letters chosen on the paper of {other!r} lose points when graded on another paper"
            )


def test_the_tuning_task_is_graded_alike_on_every_paper(grading_environment):
    answers = {**answers_of(SVM_ITEM), "wrong": (WRONG[SVM_ITEM], None)}
    costs = {name: set() for name in answers}
    for learner in SVM_PAPERS:
        namespace = paper_namespace(learner)
        for name, (answer, _) in answers.items():
            costs[name].add(item_points(SVM_ITEM) - score(SVM_ITEM, answer, namespace))
    for name, (_, expected) in answers.items():
        assert len(costs[name]) == 1, f"{SVM_ITEM}: '{name}' costs {sorted(costs[name])} on different papers"
        cost = costs[name].pop()
        assert cost == expected if expected is not None else cost > 0, f"{SVM_ITEM}: '{name}' costs {cost} points"
