"""The mock exam's personal paper: every learner gets their own numbers.

An exam whose numbers are the same for everyone can be answered by copying a neighbour. Here the
numbers of each item (a train/test split, a regularisation strength, a network's shape, a search
budget) are drawn from a random generator seeded by the learner's id, so two learners get two
papers. ``ExamPaper.for_learner(typed_id)`` finds the id to use:

1. while nbgrader autogrades, the notebook runs in ``<workspace>/autograded/<learner_id>/<assignment>/``,
   so the id is read from the folder name (whatever the notebook says);
2. on JupyterHub, the ``JUPYTERHUB_USER`` environment variable names the learner;
3. otherwise (a laptop, nbgrader's *Validate*) the id the learner typed is used;
4. with no id at all, a shared practice paper.

The paper holds problems, never their answers: computing those is the learner's job. Every paper
tests the same skills at the same difficulty (tests/test_exam_fairness.py): only the numbers change,
never what an item asks or what a typical mistake costs. The scenario questions are lettered the
same way on every paper, so a letter chosen on one paper means the same option on any other.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from coursekit.data import load_breast_cancer, load_diabetes

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


def normalise_id(value: object) -> str:
    """Ids are compared without surrounding spaces and without case ("Alice " is "alice")."""
    return str(value if value is not None else "").strip().casefold()


def resolve_learner_id(typed: object = "", cwd: Path | None = None, environ: dict | None = None) -> tuple[str, str]:
    """The id the paper is seeded with, and where it came from (for the learner to read)."""
    here = Path.cwd() if cwd is None else Path(cwd)
    environ = os.environ if environ is None else environ
    if here.parent.parent.name == "autograded" and here.parent.name:
        return normalise_id(here.parent.name), "the autograder's folder name"
    hub = normalise_id(environ.get("JUPYTERHUB_USER", ""))
    if hub:
        return hub, "your JupyterHub user name"
    typed = normalise_id(typed)
    if typed:
        return typed, "LEARNER_ID, as you typed it"
    return PRACTICE_ID, "the shared practice paper (type your learner id in LEARNER_ID to get yours)"


def seed_of(learner_id: str, item: str) -> int:
    """A stable 32-bit seed for one item of one learner's paper (the same on every machine)."""
    digest = hashlib.sha256(f"{normalise_id(learner_id)}/{item}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


@dataclass(frozen=True)
class Split:
    """A seeded, stratified (for classes) train/test split of one of the shipped tables."""

    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series
    random_state: int


@dataclass(frozen=True)
class ExamPaper:
    """One learner's numbers for every seeded item of the mock exam."""

    learner_id: str
    id_source: str = field(default="given", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "learner_id", normalise_id(self.learner_id))

    @classmethod
    def for_learner(cls, typed: object = "") -> ExamPaper:
        learner_id, source = resolve_learner_id(typed)
        return cls(learner_id, source)

    def rng(self, item: str) -> np.random.Generator:
        return np.random.default_rng(seed_of(self.learner_id, item))

    # Section: counting learned numbers -------------------------------------------------------
    # Every paper counts one multi-class model (the network) and one binary model (the logistic
    # regression), so every paper asks the same two things, in the same places.
    @property
    def mlp_layers(self) -> tuple[int, int, tuple[int, ...]]:
        """(n_features, n_classes, hidden_layer_sizes) of the network to count: 3 to 5 classes."""
        rng = self.rng("mlp")
        n_features = int(rng.integers(4, 31))
        n_classes = int(rng.integers(3, 6))
        n_hidden = int(rng.integers(1, 3))
        hidden = tuple(int(h) for h in rng.choice([3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32], size=n_hidden))
        return n_features, n_classes, hidden

    @property
    def logistic_shape(self) -> tuple[int, int]:
        """(n_features, n_classes) of the logistic regression to count: always two classes."""
        return int(self.rng("logistic").integers(3, 41)), 2

    # Section: lasso ----------------------------------------------------------------------------
    @property
    def lasso_alpha(self) -> float:
        """A lasso penalty, one of ``LASSO_ALPHAS`` (in units of progression)."""
        return float(self.rng("lasso_alpha").choice(LASSO_ALPHAS))

    @property
    def diabetes(self) -> Split:
        """The diabetes table split 75/25 with this learner's seed, one of ``DIABETES_SPLIT_SEEDS``."""
        seed = int(self.rng("diabetes_split").choice(DIABETES_SPLIT_SEEDS))
        X, y = load_diabetes()
        return Split(*train_test_split(X, y, test_size=0.25, random_state=seed), random_state=seed)

    # Section: tuning ---------------------------------------------------------------------------
    @property
    def cancer(self) -> Split:
        """The breast-cancer table split 75/25, stratified, with this learner's seed."""
        seed = int(self.rng("cancer_split").integers(0, 10_000))
        X, y = load_breast_cancer()
        return Split(*train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed), random_state=seed)

    @property
    def cv_seed(self) -> int:
        """The random_state of the cross-validation folds in the tuning task."""
        return int(self.rng("cv_seed").integers(0, 1000))

    # Section: search budgets -------------------------------------------------------------------
    @property
    def search_budget(self) -> dict[str, int]:
        """Sizes of the search in the budget questions: grid values per hyperparameter and folds."""
        rng = self.rng("budget")
        return {
            "n_C": int(rng.integers(4, 9)),
            "n_gamma": int(rng.integers(3, 8)),
            "inner_folds": int(rng.integers(3, 7)),
            "outer_folds": int(rng.integers(3, 11)),
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
