"""The mock exam's personal paper: every learner, and every attempt, gets their own paper.

An exam whose numbers are the same for everyone can be answered by copying a neighbour, and a practice
exam that repeats itself is learned by heart. Here each exercise of the notebook is a *slot* that
shows one item of a bank (``coursekit.exam_bank``), drawn for the learner and the attempt, and the
numbers of that item (a train/test split, a penalty, a network's shape, a search budget) are drawn
from a random generator seeded by the learner's id and the attempt number.
``ExamPaper.for_learner(typed_id, typed_attempt)`` finds the id to use:

1. while nbgrader autogrades, the notebook runs in ``<workspace>/autograded/<learner_id>/<assignment>/``,
   so the id is read from the folder name (whatever the notebook says);
2. on JupyterHub, the ``JUPYTERHUB_USER`` environment variable names the learner;
3. otherwise (a laptop, nbgrader's *Validate*) the id the learner typed is used;
4. with no id at all, a shared practice paper.

The attempt number is the one the notebook sets (``ATTEMPT``, 1 when absent), at grading time too.
Attempt 1 is the paper module 09 always set: the first item of every slot, with the numbers of the
seeds used before attempts existed (``seed_of`` leaves them unchanged). Attempts 2, 3, ... of a
learner draw the other items of each slot in a seeded order, so a learner's first *n* attempts never
share an item of a slot that has *n* items (every slot has at least three); after that each round of
*n* attempts draws every item once more, in a new order (``draw_item``).

The paper holds problems, never their answers: computing those is the learner's job, and the keys
live in the hidden tests. Every paper tests the same skills at the same difficulty
(tests/test_exam_fairness.py): the items of a slot ask for the same kind of answer, and a typical
mistake costs the same on every item and every paper. The scenario questions are lettered the same
way on every paper, so a letter chosen on one paper means the same option on any other.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from coursekit.data import load_breast_cancer, load_diabetes
from coursekit.exam_bank import CLASSIFY_SETTINGS, GRAY_SETTINGS, SCENARIOS, SLOTS, Item

ASSIGNMENT = "09_mock_exam"
PRACTICE_ID = "practice"
LETTERS = "ABCDEFGH"

# The lasso item's penalties and diabetes splits, vetted together by tests/test_exam_fairness.py: on
# every combination the standardised lasso keeps the same features for any alpha within 2 % (no
# feature sits on its threshold, so every correct way of standardising finds the same set), and a
# lasso on raw clinical units keeps a set that differs by at least two features (so forgetting to
# standardise costs the same on every paper). The seeds are the first 100, counting from 0, that pass.
LASSO_ALPHAS = (5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0)
DIABETES_SPLIT_SEEDS = (
    0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 22, 23, 25, 26, 28, 32, 33, 35,
    36, 39, 42, 45, 46, 48, 50, 51, 52, 54, 55, 58, 59, 60, 63, 64, 66, 69, 71, 72, 74, 75, 77, 78,
    79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102,
    104, 106, 108, 110, 111, 112, 113, 114, 117, 118, 120, 121, 122, 126, 128, 130, 133, 136, 137,
    139, 141, 142, 143, 144, 145, 146, 147,
)


# The elastic net's penalties (l1_ratio 0.9) and diabetes splits, vetted the same way as the lasso's
# (the seeds of DIABETES_SPLIT_SEEDS on which all seven penalties pass).
ELASTICNET_L1_RATIO = 0.9
ELASTICNET_ALPHAS = (4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0)
ELASTICNET_SPLIT_SEEDS = (
    0, 1, 2, 3, 4, 8, 11, 12, 15, 16, 17, 19, 20, 22, 23, 25, 28, 32, 35, 36, 39, 42, 45, 46, 48, 50,
    54, 55, 59, 64, 69, 71, 74, 75, 77, 78, 79, 81, 85, 86, 87, 88, 91, 92, 93, 95, 96, 101, 102, 104,
    106, 108, 110, 112, 114, 117, 118, 120, 130, 133, 136, 137, 141, 143, 145, 147,
)
# The ridge item's penalties and diabetes splits: on every combination the three largest standardised
# weights are the same three for any alpha within 5 % (and the third beats the fourth by more than
# 0.5 units of progression), and a ridge on raw clinical units ranks at least one other feature among
# its three largest. The seeds are those of 0 to 149 on which all seven penalties pass.
RIDGE_ALPHAS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
RIDGE_SPLIT_SEEDS = (
    0, 5, 6, 9, 11, 12, 14, 16, 18, 19, 21, 22, 24, 25, 27, 28, 29, 30, 31, 35, 36, 37, 39, 40, 42, 44,
    46, 47, 48, 51, 52, 53, 54, 56, 57, 58, 59, 60, 61, 63, 66, 67, 69, 72, 75, 76, 80, 81, 84, 86, 87,
    88, 90, 91, 92, 93, 94, 95, 97, 99, 100, 101, 102, 104, 105, 106, 108, 109, 110, 112, 114, 116, 119,
    120, 123, 125, 126, 127, 128, 130, 131, 132, 133, 136, 137, 140, 141, 142, 144, 145, 147, 149,
)

PENALTY_CHOICES = {
    "penalty-lasso": (LASSO_ALPHAS, DIABETES_SPLIT_SEEDS),
    "penalty-elasticnet": (ELASTICNET_ALPHAS, ELASTICNET_SPLIT_SEEDS),
    "penalty-ridge": (RIDGE_ALPHAS, RIDGE_SPLIT_SEEDS),
}

# The numbers the counting and budget items draw from (ranges: start included, stop not). Named once,
# because the practice self-check's keys (autograder/practice_keys.py) are written for every paper
# these ranges can produce.
COUNT_FEATURES = range(4, 31)
COUNT_CLASSES = range(3, 6)
COUNT_LAYERS = range(1, 3)
COUNT_LAYER_SIZES = (3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32)
LINEAR_FEATURES = range(3, 41)
# The counting item whose network is the multi-class model (on the others the network is binary and
# the linear classifier multi-class), and each item's linear classifier.
MULTICLASS_NETWORK = frozenset({"count-a"})
COUNT_LINEAR = {"count-a": "LogisticRegression", "count-b": "LogisticRegression", "count-c": "LinearSVC"}
BUDGET_SIZES = {"n_C": range(4, 9), "n_gamma": range(3, 8), "inner_folds": range(3, 7), "outer_folds": range(3, 11)}
# What the budget items other than the plain grid add: (name, its range).
BUDGET_EXTRA = {"budget-three": ("n_class_weight", range(2, 4)), "budget-repeated": ("inner_repeats", range(2, 5))}


def normalise_id(value: object) -> str:
    """Ids are compared without surrounding spaces and without case ("Alice " is "alice")."""
    return str(value if value is not None else "").strip().casefold()


def normalise_attempt(value: object) -> int:
    """An attempt number: a whole number from 1 (``2``, ``"2"`` and ``" 2 "`` are attempt 2)."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"ATTEMPT should be a whole number: 1 for your first attempt, 2 for the next, ...; not {value!r}."
        )
    return int(text)


# The grader's id of one timed attempt (autograder/intake.py: <learner>/<assignment>/attempt-<N>/):
# each attempt is its own submission, and the paper is the learner's attempt N.
ATTEMPT_SUBMISSION = re.compile(r"^(?P<learner>.+)\+attempt-(?P<attempt>[1-9][0-9]*)$")


def attempt_submission_id(learner_id: str, attempt: int) -> str:
    return f"{learner_id}+attempt-{attempt}"


def split_attempt_submission(grader_id: str) -> tuple[str, int | None]:
    """(learner id, attempt) of a grader id ``<learner>+attempt-<N>``; (the id, None) for any other id."""
    match = ATTEMPT_SUBMISSION.match(grader_id)
    return (match["learner"], int(match["attempt"])) if match else (grader_id, None)


def _graded_as(here: Path) -> str | None:
    """The grader's id of the submission when the notebook runs in nbgrader's autograded/<id>/<assignment>/."""
    return here.parent.name if here.parent.parent.name == "autograded" and here.parent.name else None


def resolve_learner_id(typed: object = "", cwd: Path | None = None, environ: dict | None = None) -> tuple[str, str]:
    """The id the paper is seeded with, and where it came from (for the learner to read)."""
    here = Path.cwd() if cwd is None else Path(cwd)
    environ = os.environ if environ is None else environ
    if graded_as := _graded_as(here):
        return normalise_id(split_attempt_submission(graded_as)[0]), "the autograder's folder name"
    hub = normalise_id(environ.get("JUPYTERHUB_USER", ""))
    if hub:
        return hub, "your JupyterHub user name"
    typed = normalise_id(typed)
    if typed:
        return typed, "LEARNER_ID, as you typed it"
    return PRACTICE_ID, "the shared practice paper (type your learner id in LEARNER_ID to get yours)"


def seed_of(learner_id: str, item: str, attempt: int = 1) -> int:
    """A stable 32-bit seed for one item of one learner's paper (the same on every machine).

    Attempt 1 keeps the seeds papers had before attempts existed; later attempts add their number."""
    key = f"{normalise_id(learner_id)}/{item}" + ("" if attempt == 1 else f"/attempt-{attempt}")
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little")


def draw_item(learner_id: str, slot: str, attempt: int) -> Item:
    """The item of ``slot`` on a learner's attempt: attempt 1 the slot's first item; attempts 2 to n
    (n items) the others, in an order seeded by the learner; each later round of n attempts every
    item once, in a new seeded order."""
    items = SLOTS[slot].items
    attempt = normalise_attempt(attempt)
    round_, position = divmod(attempt - 1, len(items))
    rng = np.random.default_rng(seed_of(learner_id, f"draw/{slot}/round-{round_}"))
    order = [0, *(1 + rng.permutation(len(items) - 1))] if round_ == 0 else list(rng.permutation(len(items)))
    return items[int(order[position])]


@dataclass(frozen=True)
class Split:
    """A seeded, stratified (for classes) train/test split of one of the shipped tables."""

    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series
    random_state: int


def exam_split(table: str, seed: int) -> Split:
    if table == "breast_cancer":
        X, y = load_breast_cancer()
        return Split(*train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed), random_state=seed)
    X, y = load_diabetes()
    return Split(*train_test_split(X, y, test_size=0.25, random_state=seed), random_state=seed)


_ESTIMATORS = {
    "Lasso": ("sklearn.linear_model", "Lasso"),
    "ElasticNet": ("sklearn.linear_model", "ElasticNet"),
    "Ridge": ("sklearn.linear_model", "Ridge"),
    "LogisticRegression": ("sklearn.linear_model", "LogisticRegression"),
    "SVC": ("sklearn.svm", "SVC"),
    "LinearSVC": ("sklearn.svm", "LinearSVC"),
}


def estimator_class(name: str) -> type:
    """The scikit-learn class an item names (only the classes the exam uses)."""
    import importlib

    module, attribute = _ESTIMATORS[name]
    return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class Counting:
    """Section 2: a network and a linear classifier whose learned numbers are to be counted."""

    mlp_layers: tuple[int, int, tuple[int, ...]]  # (n_features, n_classes, hidden_layer_sizes)
    linear: str  # "LogisticRegression" or "LinearSVC", with default settings
    linear_shape: tuple[int, int]  # (n_features, n_classes)


@dataclass(frozen=True)
class Penalty:
    """Section 3: a penalised linear model to fit on standardised features, and what to report.

    ``asks`` is ``"nonzero"`` (every feature whose learned weight is not zero) or ``"largest3"`` (the
    three features whose learned weights are largest in absolute value)."""

    estimator: str
    params: dict
    split: Split
    asks: str

    def model(self):
        """A fresh, unfitted instance of the model the item names (no scaling: that is your part)."""
        return estimator_class(self.estimator)(**self.params)

    def describe(self) -> str:
        return f"{self.estimator}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


def penalty_of(item: str, alpha: float, seed: int, split: Split | None = None) -> Penalty:
    """The penalty item ``item`` with one of its penalties and diabetes splits (``PENALTY_CHOICES``)."""
    split = split if split is not None else exam_split("diabetes", seed)
    if item == "penalty-lasso":
        return Penalty("Lasso", {"alpha": alpha}, split, "nonzero")
    if item == "penalty-elasticnet":
        return Penalty("ElasticNet", {"alpha": alpha, "l1_ratio": ELASTICNET_L1_RATIO}, split, "nonzero")
    return Penalty("Ridge", {"alpha": alpha}, split, "largest3")


@dataclass(frozen=True)
class Tuning:
    """Section 4: one hyperparameter of one model to tune honestly, on a split of a shipped table."""

    table: str  # "breast_cancer" or "diabetes"
    estimator: str
    param: str
    scoring: str
    split: Split
    cv_seed: int

    @property
    def classification(self) -> bool:
        return self.table == "breast_cancer"

    @property
    def param_key(self) -> str:
        """The grid's key for the hyperparameter in ``make_pipeline(StandardScaler(), model)``."""
        return f"{self.estimator.lower()}__{self.param}"

    @property
    def estimator_class(self) -> type:
        return estimator_class(self.estimator)

    def model(self):
        """A fresh model with scikit-learn's defaults (the pipeline around it is yours to build)."""
        return self.estimator_class()

    def folds(self):
        """The seeded folds every search of this paper uses."""
        from sklearn.model_selection import KFold, StratifiedKFold

        kind = StratifiedKFold if self.classification else KFold
        return kind(n_splits=5, shuffle=True, random_state=self.cv_seed)

    def folds_text(self) -> str:
        kind = "StratifiedKFold" if self.classification else "KFold"
        return f"{kind}(n_splits=5, shuffle=True, random_state={self.cv_seed})"

    def load_table(self) -> tuple[pd.DataFrame, pd.Series]:
        """The whole table the split comes from (all rows)."""
        return load_breast_cancer() if self.classification else load_diabetes()


@dataclass(frozen=True)
class ExamPaper:
    """One learner's attempt: the item of every slot, and that item's numbers."""

    learner_id: str
    attempt: int = 1
    id_source: str = field(default="given", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "learner_id", normalise_id(self.learner_id))
        object.__setattr__(self, "attempt", normalise_attempt(self.attempt))

    @classmethod
    def for_learner(cls, typed: object = "", attempt: object = 1, cwd: Path | None = None) -> ExamPaper:
        """The paper of this notebook: while the grader grades a timed attempt, the attempt is the one
        its folder was submitted as (``attempt-<N>``), like the learner id; otherwise ``attempt``."""
        learner_id, source = resolve_learner_id(typed, cwd)
        graded_attempt = split_attempt_submission(_graded_as(Path.cwd() if cwd is None else Path(cwd)) or "")[1]
        return cls(learner_id, graded_attempt or attempt, source)

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng(seed_of(self.learner_id, name, self.attempt))

    def item(self, slot: str) -> Item:
        """The bank item this paper shows in ``slot`` (a name of ``coursekit.exam_bank.SLOTS``)."""
        return draw_item(self.learner_id, slot, self.attempt)

    @property
    def items(self) -> dict[str, Item]:
        return {slot: self.item(slot) for slot in SLOTS}

    # Section 1 and 7: settings to label -------------------------------------------------------
    @property
    def classify_items(self) -> list[str]:
        return list(CLASSIFY_SETTINGS[self.item("classify").id])

    @property
    def gray_items(self) -> list[str]:
        return list(GRAY_SETTINGS[self.item("gray").id])

    # Section 2: counting learned numbers -------------------------------------------------------
    # Every item counts one binary and one multi-class model, so every paper asks the same two
    # things; the items differ in which of the two is binary, and in the linear model.
    @property
    def counting(self) -> Counting:
        item = self.item("count").id
        rng = self.rng("mlp")
        n_features = int(rng.integers(COUNT_FEATURES.start, COUNT_FEATURES.stop))
        n_classes = int(rng.integers(COUNT_CLASSES.start, COUNT_CLASSES.stop))
        n_hidden = int(rng.integers(COUNT_LAYERS.start, COUNT_LAYERS.stop))
        hidden = tuple(int(h) for h in rng.choice(list(COUNT_LAYER_SIZES), size=n_hidden))
        rng = self.rng("logistic")
        linear_features = int(rng.integers(LINEAR_FEATURES.start, LINEAR_FEATURES.stop))
        if item in MULTICLASS_NETWORK:
            return Counting((n_features, n_classes, hidden), COUNT_LINEAR[item], (linear_features, 2))
        linear_classes = int(rng.integers(COUNT_CLASSES.start, COUNT_CLASSES.stop))
        return Counting((n_features, 2, hidden), COUNT_LINEAR[item], (linear_features, linear_classes))

    @property
    def mlp_layers(self) -> tuple[int, int, tuple[int, ...]]:
        """(n_features, n_classes, hidden_layer_sizes) of the network to count."""
        return self.counting.mlp_layers

    @property
    def linear_shape(self) -> tuple[int, int]:
        """(n_features, n_classes) of the linear classifier to count."""
        return self.counting.linear_shape

    # Section 3: a penalty and the weights it leaves ------------------------------------------
    @property
    def penalty(self) -> Penalty:
        item = self.item("penalty").id
        alphas, seeds = PENALTY_CHOICES[item]
        alpha, seed = self.rng("lasso_alpha").choice(alphas), self.rng("diabetes_split").choice(seeds)
        return penalty_of(item, float(alpha), int(seed))

    # Section 4: a tuning task -------------------------------------------------------------------
    @property
    def tuning(self) -> Tuning:
        item = self.item("tune").id
        cv_seed = int(self.rng("cv_seed").integers(0, 1000))
        if item == "tune-ridge":
            seed = int(self.rng("tune_split").integers(0, 10_000))
            return Tuning("diabetes", "Ridge", "alpha", "r2", exam_split("diabetes", seed), cv_seed)
        seed = int(self.rng("cancer_split").integers(0, 10_000))
        split = exam_split("breast_cancer", seed)
        if item == "tune-svc":
            return Tuning("breast_cancer", "SVC", "C", "balanced_accuracy", split, cv_seed)
        return Tuning("breast_cancer", "LogisticRegression", "C", "roc_auc", split, cv_seed)

    # Section 5: search budgets -------------------------------------------------------------------
    @property
    def search_budget(self) -> dict[str, int]:
        """Sizes of the search in the budget questions: grid values per hyperparameter, folds (and,
        on some papers, the values of class_weight or the repeats of the inner folds)."""
        rng = self.rng("budget")
        budget = {name: int(rng.integers(sizes.start, sizes.stop)) for name, sizes in BUDGET_SIZES.items()}
        if extra := BUDGET_EXTRA.get(self.item("budget").id):
            name, sizes = extra
            budget[name] = int(rng.integers(sizes.start, sizes.stop))
        return budget

    # Section 6: scenarios ----------------------------------------------------------------------
    @property
    def scenarios(self) -> dict[str, tuple[str, list[str]]]:
        return {key: (text, list(options)) for key, (text, options) in SCENARIOS[self.item("scenarios").id].items()}

    # What each slot shows ------------------------------------------------------------------------
    def question(self, slot: str) -> str:
        """Markdown for the item this paper shows in ``slot``: what to compute, with this paper's numbers."""
        return _QUESTIONS[slot](self)


def answer_template(name: str, keys) -> str:
    """Python for an answer dict with one ``None`` per key, ready to paste into an answer cell."""
    lines = [f"{name} = {{"] + [f"    {key!r}: None," for key in keys] + ["}"]
    return "\n".join(lines)


def _ask_classify(paper: ExamPaper) -> str:
    return "Your twenty settings, ready to paste into the answer cell:\n\n```python\n" + answer_template(
        "mixed_labels", paper.classify_items) + "\n```"


def _ask_gray(paper: ExamPaper) -> str:
    return "Your nine items, ready to paste into the answer cell:\n\n```python\n" + answer_template(
        "gray_exam_labels", paper.gray_items) + "\n```"


def _ask_count(paper: ExamPaper) -> str:
    counting = paper.counting
    n_features, n_classes, hidden = counting.mlp_layers
    linear_features, linear_classes = counting.linear_shape
    return (
        f"- `MLPClassifier(hidden_layer_sizes={hidden})` on {n_features} features and {n_classes} classes "
        "(`exam.mlp_layers`: features, classes, hidden layer sizes);\n"
        f"- `{counting.linear}()` on {linear_features} features and {linear_classes} classes "
        "(`exam.linear_shape`: features, classes)."
    )


def _ask_penalty(paper: ExamPaper) -> str:
    penalty = paper.penalty
    what = (
        "the list of the features whose learned coefficient is **not** zero"
        if penalty.asks == "nonzero"
        else "the list of the **three** features whose learned coefficients are largest in absolute value"
    )
    return (
        f"Your model: `{penalty.describe()}` (`penalty.model()` gives you a fresh one), on the diabetes table "
        f"split 75/25 with seed {penalty.split.random_state}: {len(penalty.split.X_train)} training patients in "
        f"`penalty.split.X_train`, `penalty.split.y_train`.\n\nSet `kept_features` to {what} (a list, tuple, "
        "set, array or pandas Index of column names)."
    )


def _ask_tune(paper: ExamPaper) -> str:
    tuning = paper.tuning
    if tuning.classification:
        task = "flags malignant aspirates, on your paper's stratified split of the breast-cancer table"
    else:
        task = "predicts disease progression one year after baseline, on your paper's split of the diabetes table"
    scores = {
        "balanced_accuracy": "**balanced accuracy** (the mean of the recall of each class, so the 37 % malignant "
        "class counts as much as the benign majority)",
        "roc_auc": "**ROC AUC** (how well the model ranks malignant above benign aspirates, over every threshold)",
        "r2": "**R²** (the share of the variance of progression the model explains)",
    }
    return (
        f"Your task: tune `{tuning.param}` of `{tuning.estimator}()` (scikit-learn's defaults otherwise) that "
        f"{task}, scored with {scores[tuning.scoring]}: `scoring={tuning.scoring!r}`. In "
        f"`make_pipeline(StandardScaler(), {tuning.estimator}())` the grid's key is `{tuning.param_key!r}`; "
        f"the folds are `{tuning.folds_text()}` (`tuning.folds()`)."
    )


def _ask_budget(paper: ExamPaper) -> str:
    budget = paper.search_budget
    if "n_class_weight" in budget:
        grid = ("a grid over `n_C` values of `C`, `n_gamma` values of `gamma` and `n_class_weight` values of "
                "`class_weight`")
        random = ("draws `C` and `gamma` from continuous log-uniform distributions and `class_weight` from the "
                  "same list")
    else:
        grid, random = ("a grid over `n_C` values of `C` and `n_gamma` values of `gamma`",
                        "draws `C` and `gamma` from continuous log-uniform distributions")
    folds = ("`RepeatedStratifiedKFold(n_splits=inner_folds, n_repeats=inner_repeats)`"
             if "inner_repeats" in budget else "`inner_folds` folds")
    return (
        f"Your paper's search: {grid} for an RBF SVC, cross-validated with {folds} by `GridSearchCV` (default "
        "`refit=True`). For an honest estimate of the whole tuning procedure, that search is itself "
        "cross-validated with `outer_folds` folds (nested cross-validation, `cross_val_score(search, X, y, "
        f"cv=outer_folds)`). The random search of the last question gets as many candidates as the grid and "
        f"{random}.\n\n`budget = {budget}`"
    )


_QUESTIONS = {
    "classify": _ask_classify,
    "count": _ask_count,
    "penalty": _ask_penalty,
    "tune": _ask_tune,
    "budget": _ask_budget,
    "scenarios": lambda paper: show_choices(paper.scenarios),
    "gray": _ask_gray,
}


def show_choices(questions: dict[str, tuple[str, list[str]]]) -> str:
    """Markdown for multiple-choice questions, options lettered A, B, ... in the order given.

    ``questions`` maps a short key to ``(question text, [option texts])``. The order is the same on
    every paper: a letter then names the same option whichever paper grades it (a learner who
    answered on the practice paper, or under a mistyped id, is graded on what they chose).
    """
    parts = []
    for key, (text, options) in questions.items():
        lines = [f"**`{key!r}`**: {text}", ""]
        lines += [f"- **{LETTERS[position]}.** {option}" for position, option in enumerate(options)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
