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

The paper holds problems, never their answers: computing those is the learner's job.
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
    @property
    def mlp_layers(self) -> tuple[int, int, tuple[int, ...]]:
        """(n_features, n_classes, hidden_layer_sizes) of the network to count."""
        rng = self.rng("mlp")
        n_features = int(rng.integers(4, 31))
        n_classes = int(rng.choice([2, 2, 3, 4, 5]))
        n_hidden = int(rng.integers(1, 3))
        hidden = tuple(int(h) for h in rng.choice([3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32], size=n_hidden))
        return n_features, n_classes, hidden

    @property
    def logistic_shape(self) -> tuple[int, int]:
        """(n_features, n_classes) of the logistic regression to count."""
        rng = self.rng("logistic")
        return int(rng.integers(3, 41)), int(rng.choice([2, 3, 4, 6, 7]))

    # Section: lasso ----------------------------------------------------------------------------
    @property
    def lasso_alpha(self) -> float:
        """A lasso penalty between about 0.3 and 12 (clinical units of progression), 3 significant digits."""
        value = 10 ** self.rng("lasso_alpha").uniform(-0.5, 1.1)
        return float(f"{value:.3g}")

    @property
    def diabetes(self) -> Split:
        """The diabetes table split 75/25 with this learner's seed."""
        seed = int(self.rng("diabetes_split").integers(0, 10_000))
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

    # Multiple-choice items ---------------------------------------------------------------------
    def option_order(self, question: str, n_options: int) -> list[int]:
        """This learner's order of a question's options: position -> index in the question's list."""
        return [int(i) for i in self.rng(f"options/{question}").permutation(n_options)]

    def letter_of(self, question: str, n_options: int, index: int) -> str:
        """The letter under which this learner sees option ``index`` of a question."""
        return LETTERS[self.option_order(question, n_options).index(index)]

    def show_choices(self, questions: dict[str, tuple[str, list[str]]]) -> str:
        """Markdown for multiple-choice questions, options lettered in this learner's order.

        ``questions`` maps a short key to ``(question text, [option texts])``.
        """
        parts = []
        for key, (text, options) in questions.items():
            lines = [f"**`{key!r}`**: {text}", ""]
            for position, index in enumerate(self.option_order(key, len(options))):
                lines.append(f"- **{LETTERS[position]}.** {options[index]}")
            parts.append("\n".join(lines))
        return "\n\n".join(parts)
