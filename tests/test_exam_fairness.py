"""The mock exam (09) is fair between papers: every item of a slot asks the same kind of thing on
every paper, every correct answer earns full marks on every paper and every item of the bank, and
each typical mistake costs the same on every paper and every item (issue 19: a naive count that
scored full marks on half the papers and nothing on others, a lasso whose key mistake cost 0 to 3
points, letters graded on a paper the learner never saw). A paper is a learner id and an attempt
number; the simulated papers cover every item of every slot of the bank (coursekit.exam_bank).

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
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import coursekit
import coursekit.checks
import coursekit.exam
from coursekit.attempts import load_keys
from coursekit.exam import (
    DIABETES_SPLIT_SEEDS,
    ELASTICNET_ALPHAS,
    ELASTICNET_L1_RATIO,
    ELASTICNET_SPLIT_SEEDS,
    LASSO_ALPHAS,
    PRACTICE_ID,
    RIDGE_ALPHAS,
    RIDGE_SPLIT_SEEDS,
    ExamPaper,
)
from coursekit.exam_bank import ITEMS, SLOTS
from coursekit.practice_digests import COMPUTED, check_section, unpack

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

# A few hundred simulated papers, (learner id, attempt): attempts 1 to 4 cover every item of every
# slot (a learner's first n attempts draw the n items of a slot), and the ids the grading tests use.
PAPERS = [(f"candidate-{i:03d}", 1 + i % 4) for i in range(200)] + [
    (PRACTICE_ID, 1), ("solution", 1), ("untouched", 1), ("right-1", 1), ("right-2", 1), ("right-3", 1),
    *((f"wrong-{grade_id}", 1) for grade_id in WRONG),
]
# The tuning task fits about forty models per answer: two papers of each of its items show it is paper-blind.
TUNE_ITEM = "ex_exam_tune"
TUNE_PAPERS = [
    (learner, attempt) for learner in ("candidate-000", "candidate-001") for attempt in (1, 2, 3)
] + [(PRACTICE_ID, 1), ("wrong-ex_exam_tune", 1)]

# Typical mistakes, as a learner would type them: name -> (answer cell, points lost on every paper).
# Each is written for whichever item its paper shows.
MISTAKES = {
    "ex_exam_classify_mixed": {
        # Three label-blind answers: equal costs on every item mean the same mix of labels on every item.
        "everything a hyperparameter": ("mixed_labels = dict.fromkeys(exam.classify_items, 'hyperparameter')", 2.0),
        "everything a parameter": ("mixed_labels = dict.fromkeys(exam.classify_items, 'parameter')", 2.8),
        "everything neither": ("mixed_labels = dict.fromkeys(exam.classify_items, 'neither')", 2.6),
    },
    "ex_exam_count_learned": {
        "one output per class (two for the binary model)": ('''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, n_classes]
linear_features, linear_classes = exam.linear_shape
learned_counts = {
    "mlp": sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])),
    "linear": linear_classes * (linear_features + 1),
}
''', 1.0),
        "weights only, no biases": ('''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, 1 if n_classes == 2 else n_classes]
linear_features, linear_classes = exam.linear_shape
learned_counts = {
    "mlp": sum(a * b for a, b in zip(sizes[:-1], sizes[1:])),
    "linear": (1 if linear_classes == 2 else linear_classes) * linear_features,
}
''', 2.0),
        "one output fewer than classes (a reference class) for both models": ('''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, n_classes - 1]
linear_features, linear_classes = exam.linear_shape
learned_counts = {
    "mlp": sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])),
    "linear": (linear_classes - 1) * (linear_features + 1),
}
''', 1.0),
    },
    "ex_exam_penalty_survivors": {
        "not standardised (default max_iter)": ('''
raw = penalty.model().fit(penalty.split.X_train, penalty.split.y_train)
raw_weights = pd.Series(raw.coef_, index=penalty.split.X_train.columns)
if penalty.asks == "nonzero":
    kept_features = list(raw_weights.index[raw_weights != 0])
else:
    kept_features = list(raw_weights.abs().sort_values(ascending=False).index[:3])
''', 3.0),
        "not standardised (run to convergence)": ('''
raw = penalty.model().set_params(max_iter=1_000_000, tol=1e-8).fit(penalty.split.X_train, penalty.split.y_train)
raw_weights = pd.Series(raw.coef_, index=penalty.split.X_train.columns)
if penalty.asks == "nonzero":
    kept_features = list(raw_weights.index[raw_weights != 0])
else:
    kept_features = list(raw_weights.abs().sort_values(ascending=False).index[:3])
''', 3.0),
        "the opposite end: zeroed features, or the three smallest weights": ('''
model = make_pipeline(StandardScaler(), penalty.model()).fit(penalty.split.X_train, penalty.split.y_train)
weights = pd.Series(model[-1].coef_, index=penalty.split.X_train.columns)
if penalty.asks == "nonzero":
    kept_features = list(weights.index[weights == 0])
else:
    kept_features = list(weights.abs().sort_values().index[:3])
''', 3.0),
    },
    "ex_exam_search_budget": {
        "refit forgotten": ('''
candidates = budget["n_C"] * budget["n_gamma"] * budget.get("n_class_weight", 1)
folds = budget["inner_folds"] * budget.get("inner_repeats", 1)
budget_answers = {
    "grid_fits": folds * candidates,
    "nested_fits": budget["outer_folds"] * folds * candidates,
    "grid_distinct_C": budget["n_C"],
    "random_distinct_C": candidates,
}
''', 1.5),
        "random search tries as many values of C as the grid": ('''
candidates = budget["n_C"] * budget["n_gamma"] * budget.get("n_class_weight", 1)
folds = budget["inner_folds"] * budget.get("inner_repeats", 1)
budget_answers = {
    "grid_fits": folds * candidates + 1,
    "nested_fits": budget["outer_folds"] * (folds * candidates + 1),
    "grid_distinct_C": budget["n_C"],
    "random_distinct_C": budget["n_C"],
}
''', 0.75),
    },
    "ex_exam_scenarios": {
        "the first option everywhere": ('scenario_answers = {key: "A" for key in SCENARIOS}', 4.0),
    },
    "ex_exam_gray_cases": {
        "everything a parameter": ("gray_exam_labels = dict.fromkeys(exam.gray_items, 'parameter')", 1.67),
        "everything a hyperparameter": ("gray_exam_labels = dict.fromkeys(exam.gray_items, 'hyperparameter')", 0.33),
        "everything neither": ("gray_exam_labels = dict.fromkeys(exam.gray_items, 'neither')", 2.0),
    },
}
# Answers typed by hand on another paper than the one grading them: only labels and letters may be
# typed by hand (the exercises ask for code everywhere else), and they must mean the same on every
# paper that shows the same item. (A paper with another item asks other questions: the hidden test
# says so, tests/test_exam_bank.py.)
TYPED_ON_ANOTHER_PAPER = {
    "ex_exam_scenarios": ("scenario_answers", [(PRACTICE_ID, 1), ("jdoe24", 1), ("candidate-999", 2)]),
    "ex_exam_classify_mixed": ("mixed_labels", [(PRACTICE_ID, 1), ("candidate-999", 3)]),
    "ex_exam_gray_cases": ("gray_exam_labels", [("jdoe24", 2)]),
}
SLOT_OF = {slot.answer_cell: slot.name for slot in SLOTS.values()}
PRACTICE_DIGESTS = {item: unpack(key["digests"]) for item, key in load_keys()["items"].items() if "digests" in key}


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


def paper_namespace(paper: tuple[str, int]) -> dict:
    learner_id, attempt = paper
    namespace = {"__name__": "__main__", "LEARNER_ID": learner_id, "ATTEMPT": attempt}
    for source in CONTEXT:
        run_cell(source, namespace)
    assert (namespace["exam"].learner_id, namespace["exam"].attempt) == (learner_id, attempt)
    return namespace


def score(grade_id: str, answer: str, namespace: dict) -> float:
    """Points an answer cell earns in the test cells that grade it, on the paper of ``namespace``."""
    return graded_and_self_checked(grade_id, answer, namespace)[0]


def graded_and_self_checked(grade_id: str, answer: str, namespace: dict) -> tuple[float, float | None]:
    """(points the test cells give an answer, points the practice self-check gives it), on the paper of
    ``namespace``; the second is None for a section the self-check leaves to the instructor."""
    graded = dict(namespace)
    try:
        run_cell(answer, graded)
    except Exception:
        return 0.0, None
    checked = self_check_points(SLOT_OF[grade_id], graded["exam"], graded)
    return sum(points_earned(test_id, graded) for test_id in graders_of(grade_id, TESTS)), checked


def self_check_points(slot: str, paper: ExamPaper, answered: dict) -> float | None:
    """What ``coursekit.attempts.self_check`` gives a section (the computed sections only: the hashed
    label sections are all-or-nothing by design, tests/test_attempts.py)."""
    if slot not in COMPUTED:
        return None
    item = paper.item(slot).id
    return check_section(slot, paper, answered.get(COMPUTED[slot].variable), PRACTICE_DIGESTS[item]).earned


def answers_of(grade_id: str) -> dict[str, tuple[str, float]]:
    """Every answer to run for an item: name -> (answer cell, points it must lose on every paper)."""
    answers = {"solution": (ANSWERS[grade_id], 0.0)}
    answers |= {f"right-{k}": (variant, 0.0) for k, variant in enumerate(RIGHT.get(grade_id, []), start=1)}
    answers |= MISTAKES.get(grade_id, {})
    return answers


def item_of(paper: tuple[str, int], grade_id: str) -> str:
    return ExamPaper(*paper).item(SLOT_OF[grade_id]).id


@pytest.fixture(scope="module")
def lost_points(graded_answers):
    return graded_answers[0]


@pytest.fixture(scope="module")
def self_check_disagreements(graded_answers):
    return graded_answers[1]


@pytest.fixture(scope="module")
def graded_answers(grading_environment):
    """lost[item][answer name] = {paper: points lost}, for every slot but the tuning task; and where the
    practice self-check gives other points than the test cells: [(item, answer name, paper, tests, self-check)]."""
    lost: dict[str, dict[str, dict[tuple[str, int], float]]] = {}
    disagreements = []
    typed = {}
    for grade_id, (variable, typed_on) in TYPED_ON_ANOTHER_PAPER.items():
        for other in typed_on:
            namespace = dict(paper_namespace(other))
            run_cell(ANSWERS[grade_id], namespace)
            typed[grade_id, other] = (f"{variable} = {namespace[variable]!r}", item_of(other, grade_id))
    for paper in PAPERS:
        namespace = paper_namespace(paper)
        for grade_id in ANSWERS:
            if grade_id == TUNE_ITEM:
                continue
            answers = answers_of(grade_id)
            answers["wrong"] = (WRONG[grade_id], None)
            answers |= {
                f"typed on the paper of {other!r}": (answer, 0.0)
                for (g, other), (answer, item) in typed.items()
                if g == grade_id and item == item_of(paper, grade_id)
            }
            for name, (answer, _) in answers.items():
                earned, checked = graded_and_self_checked(grade_id, answer, namespace)
                lost.setdefault(grade_id, {}).setdefault(name, {})[paper] = item_points(grade_id) - earned
                if checked is not None and checked != pytest.approx(earned, abs=1e-9):
                    disagreements.append((grade_id, name, paper, earned, checked))
    return lost, disagreements


def test_the_simulated_papers_cover_every_item_of_the_bank():
    shown = {ExamPaper(*paper).item(slot).id for paper in PAPERS for slot in SLOTS}
    assert shown == set(ITEMS), f"items no simulated paper shows: {sorted(set(ITEMS) - shown)}"
    tuned = {ExamPaper(*paper).item("tune").id for paper in TUNE_PAPERS}
    assert tuned == {item.id for item in SLOTS["tune"].items}


def test_every_paper_counts_one_binary_and_one_multiclass_model():
    for paper in PAPERS:
        counting = ExamPaper(*paper).counting
        classes = sorted([counting.mlp_layers[1], counting.linear_shape[1]])
        assert classes[0] == 2 and classes[1] >= 3, (
            f"{paper}: the network has {counting.mlp_layers[1]} classes and the {counting.linear} "
            f"{counting.linear_shape[1]}; every paper must count one multi-class and one binary model"
        )


def test_every_paper_draws_its_penalty_from_the_vetted_combinations():
    vetted = {
        "Lasso": (LASSO_ALPHAS, DIABETES_SPLIT_SEEDS),
        "ElasticNet": (ELASTICNET_ALPHAS, ELASTICNET_SPLIT_SEEDS),
        "Ridge": (RIDGE_ALPHAS, RIDGE_SPLIT_SEEDS),
    }
    for paper in PAPERS:
        penalty = ExamPaper(*paper).penalty
        alphas, seeds = vetted[penalty.estimator]
        assert penalty.params["alpha"] in alphas and penalty.split.random_state in seeds, paper


def penalty_combination_problems(X, y, seed: int, model, alphas, asks: str) -> list[str]:
    """Why a split seed and a penalty would make an unfair item (empty when fair): the answer must not
    move when alpha moves a little (every correct way of standardising finds the same features), and
    forgetting to standardise must cost the whole item (at least two features on the wrong side)."""
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=seed)
    scaled = StandardScaler().fit_transform(X_train)

    def answer(coef):
        return frozenset(np.flatnonzero(coef)) if asks == "nonzero" else frozenset(np.argsort(-np.abs(coef))[:3])

    problems = []
    margin = 0.02 if asks == "nonzero" else 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alpha in alphas:
            kept = [answer(model(alpha * factor).fit(scaled, y_train).coef_) for factor in (1 - margin, 1, 1 + margin)]
            if len(set(kept)) > 1:
                problems.append(
                    f"seed {seed}, alpha {alpha}: a feature sits on its threshold (alpha ± {margin:.0%} moves it)"
                )
                continue
            for max_iter in (1000, 1_000_000):
                raw = model(alpha).set_params(max_iter=max_iter).fit(X_train, y_train)
                if len(kept[1] ^ answer(raw.coef_)) < 2:
                    problems.append(
                        f"seed {seed}, alpha {alpha}: a model on raw units (max_iter={max_iter}) gives almost the same "
                        "features, so forgetting to standardise would cost less than on other papers"
                    )
    return problems


@pytest.mark.parametrize(
    "model, alphas, seeds, asks",
    [
        (lambda alpha: Lasso(alpha=alpha), LASSO_ALPHAS, DIABETES_SPLIT_SEEDS, "nonzero"),
        (lambda alpha: ElasticNet(alpha=alpha, l1_ratio=ELASTICNET_L1_RATIO), ELASTICNET_ALPHAS,
         ELASTICNET_SPLIT_SEEDS, "nonzero"),
        (lambda alpha: Ridge(alpha=alpha), RIDGE_ALPHAS, RIDGE_SPLIT_SEEDS, "largest3"),
    ],
    ids=["lasso", "elasticnet", "ridge"],
)
def test_every_penalty_combination_is_equally_hard(model, alphas, seeds, asks):
    """Exhaustive: every penalty with every split a paper can draw, for each penalty item."""
    X, y = coursekit.exam.load_diabetes()
    problems = [p for seed in seeds for p in penalty_combination_problems(X, y, seed, model, alphas, asks)]
    assert not problems, problems[:5]


@pytest.mark.parametrize("grade_id", [g for g in ANSWERS if g != TUNE_ITEM])
def test_right_answers_earn_full_marks_on_every_paper(grade_id, lost_points):
    for name in answers_of(grade_id):
        if name.startswith(("solution", "right-")):
            losing = {paper: lost for paper, lost in lost_points[grade_id][name].items() if lost}
            assert not losing, (
                f"{grade_id}: the {name} answer loses points on {len(losing)} papers, e.g. {list(losing.items())[:3]}"
            )


@pytest.mark.parametrize("grade_id", [g for g in ANSWERS if g != TUNE_ITEM])
def test_each_mistake_costs_the_same_on_every_paper(grade_id, lost_points):
    for name, (_, expected) in {**answers_of(grade_id), "wrong": (WRONG[grade_id], None)}.items():
        costs = {paper: round(cost, 6) for paper, cost in lost_points[grade_id][name].items()}
        by_item = {}
        for paper, cost in costs.items():
            by_item.setdefault(item_of(paper, grade_id), set()).add(cost)
        assert len(set(costs.values())) == 1, (
            f"{grade_id}: '{name}' costs different points on different papers: "
            f"{ {item: sorted(c) for item, c in by_item.items()} } (points lost, by item)"
        )
        cost = next(iter(costs.values()))
        if expected is not None:
            assert cost == pytest.approx(expected, abs=1e-6), (
                f"{grade_id}: '{name}' costs {cost} points, expected {expected}"
            )
        else:
            assert cost > 0, f"{grade_id}: the wrong answer of tests/wrong_answers earns full marks"


def test_the_practice_self_check_scores_computed_sections_as_the_hidden_tests_do(self_check_disagreements):
    """Sections 2, 3 and 5, on every simulated paper, for the solution, every right answer, every typical
    mistake above and the wrong answer: the self-check's digests give the points the test cells give."""
    assert not self_check_disagreements, (
        f"{len(self_check_disagreements)} answers scored differently, e.g. (item, answer, paper, tests, "
        f"self-check): {self_check_disagreements[:3]}; is coursekit/exam_practice_keys.json stale (`make release`)?"
    )


def test_labels_and_letters_typed_on_another_paper_keep_their_meaning(lost_points):
    for grade_id, (_, typed_on) in TYPED_ON_ANOTHER_PAPER.items():
        for other in typed_on:
            costs = lost_points[grade_id].get(f"typed on the paper of {other!r}", {})
            assert costs, f"{grade_id}: no simulated paper shows the item of {other}"
            assert not any(costs.values()), (
                f"{grade_id}: answers chosen on the paper of {other!r} lose points when graded on another paper "
                "with the same item"
            )


def test_the_tuning_task_is_graded_alike_on_every_paper(grading_environment):
    answers = {**answers_of(TUNE_ITEM), "wrong": (WRONG[TUNE_ITEM], None)}
    costs = {name: {} for name in answers}
    for paper in TUNE_PAPERS:
        namespace = paper_namespace(paper)
        for name, (answer, _) in answers.items():
            costs[name][paper] = item_points(TUNE_ITEM) - score(TUNE_ITEM, answer, namespace)
    for name, (_, expected) in answers.items():
        assert len(set(costs[name].values())) == 1, f"{TUNE_ITEM}: '{name}' costs {costs[name]} on different papers"
        cost = next(iter(costs[name].values()))
        assert cost == expected if expected is not None else cost > 0, f"{TUNE_ITEM}: '{name}' costs {cost} points"
