"""The practice self-check of the mock exam's computed sections: 2 (counts), 3 (a penalty), 5 (a budget).

Their answers follow from the paper's own numbers (a network's layer sizes, a penalty and a training
split, the sizes of a search), so one answer key cannot serve every paper. Each section is split into
*parts* (Section 2: the network and the linear model; Section 3: each feature of the table, kept or
not; Section 5: each of the four counts), and the keys file ``coursekit/exam_practice_keys.json``
holds, per bank item, the truncated salted sha256 of ``(part, the paper's numbers, the right answer)``
for every paper the item can draw (``autograder/practice_keys.py`` enumerates the number spaces that
``coursekit.exam`` draws from, at release). The self-check hashes ``(part, this paper's numbers, your
answer)`` and looks it up: a hit is a right part. Section 3 stores only the features a paper's model
keeps; a feature missing from the digests is one it drops.

The file holds no number and no feature name, so nothing can be read off it. A learner can find a part
by trying answers until one hits, quickly: that tells what fitting the paper's model (or counting by
hand) tells, which is the exercise, so the hash is not meant to be slow. The scores follow the hidden
tests' rules (a point per count; 3 points less 1.5 per feature on the wrong side; 0.75 per budget
count), and an answer the visible test rejects scores nothing, as it does under the grader
(tests/test_exam_fairness.py checks both agree on every simulated paper, for right and wrong answers).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.exam import ASSIGNMENT, ExamPaper, Penalty

DIGEST_BYTES = 5  # 2**40 values: the chance that a wrong answer hits one of an item's digests is < 1e-7
BUDGET_KEYS = ("grid_fits", "nested_fits", "grid_distinct_C", "random_distinct_C")
KEPT = "kept"


@dataclass(frozen=True)
class ComputedSection:
    """A section of the paper that the self-check scores part by part."""

    variable: str      # the answer cell's variable
    competency: str
    points: float      # as graded (the test cell's points)


COMPUTED = {
    "count": ComputedSection("learned_counts", "definitions", 2.0),
    "penalty": ComputedSection("kept_features", "regularisation", 3.0),
    "budget": ComputedSection("budget_answers", "search-strategies", 3.0),
}


# The numbers a part depends on: text the paper shows anyway --------------------------------------
def network_numbers(mlp_layers: tuple[int, int, tuple[int, ...]]) -> str:
    n_features, n_classes, hidden = mlp_layers
    return f"MLPClassifier features={n_features} classes={n_classes} hidden={','.join(map(str, hidden))}"


def linear_numbers(estimator: str, linear_shape: tuple[int, int]) -> str:
    return f"{estimator} features={linear_shape[0]} classes={linear_shape[1]}"


def penalty_numbers(penalty: Penalty) -> str:
    return f"{penalty.describe()} split={penalty.split.random_state} asks={penalty.asks}"


def budget_numbers(budget: Mapping[str, int]) -> str:
    return " ".join(f"{name}={budget[name]}" for name in sorted(budget))


def digest(item_id: str, part: str, numbers: str, answer: str) -> bytes:
    salted = f"coursekit practice self-check/{ASSIGNMENT}/{item_id}\n{part}\n{numbers}\n{answer}"
    return hashlib.sha256(salted.encode()).digest()[:DIGEST_BYTES]


def pack(digests: Iterable[bytes]) -> str:
    """Digests as one base64 text, sorted and without repeats (for the keys file)."""
    return base64.b64encode(b"".join(sorted(set(digests)))).decode()


def unpack(packed: str) -> frozenset[bytes]:
    raw = base64.b64decode(packed)
    return frozenset(raw[at:at + DIGEST_BYTES] for at in range(0, len(raw), DIGEST_BYTES))


def whole_number(value: object) -> str | None:
    """A positive whole number as text (``3``, ``np.int64(3)``), None for anything else (as the visible tests)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value <= 0:
        return None
    return str(int(value))


# Scoring one section ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionCheck:
    earned: float
    message: str


def check_section(slot: str, paper: ExamPaper, answer: object, digests: frozenset[bytes]) -> SectionCheck:
    item = paper.item(slot).id
    if slot == "count":
        return _check_counts(item, paper, answer, digests)
    if slot == "penalty":
        return _check_penalty(item, paper.penalty, answer, digests)
    return _check_budget(item, paper.search_budget, answer, digests)


def _check_counts(item: str, paper: ExamPaper, answer: object, digests: frozenset[bytes]) -> SectionCheck:
    counts = answer if isinstance(answer, Mapping) else {}
    if set(counts) != {"mlp", "linear"} or any(whole_number(v) is None for v in counts.values()):
        return SectionCheck(0.0, 'not checked: learned_counts should be {"mlp": <whole number>, "linear": '
                                 '<whole number>}, as its visible test says')
    numbers = {"mlp": network_numbers(paper.counting.mlp_layers),
               "linear": linear_numbers(paper.counting.linear, paper.counting.linear_shape)}
    wrong = [part for part in ("mlp", "linear")
             if digest(item, part, numbers[part], whole_number(counts[part])) not in digests]
    return SectionCheck(float(2 - len(wrong)), f"count again: {', '.join(wrong)}" if wrong else "right")


def _check_penalty(item: str, penalty: Penalty, answer: object, digests: frozenset[bytes]) -> SectionCheck:
    columns = list(penalty.split.X_train.columns)
    named = [str(name) for name in answer] if isinstance(answer, (list, tuple, set, np.ndarray, pd.Index)) else []
    if (not named or set(named) - set(columns) or len(set(named)) != len(named)
            or (penalty.asks == "largest3" and len(named) != 3)):
        three = ", exactly three" if penalty.asks == "largest3" else ""
        return SectionCheck(0.0, f"not checked: kept_features should name distinct features of the table{three}, "
                                 "as its visible test says")
    numbers = penalty_numbers(penalty)
    kept = {name for name in columns if digest(item, name, numbers, KEPT) in digests}
    mistakes = len(kept ^ set(named))
    return SectionCheck(3.0 * max(0.0, 1.0 - 0.5 * mistakes),
                        "right set of features" if not mistakes else f"{mistakes} feature(s) on the wrong side")


def _check_budget(item: str, budget: Mapping[str, int], answer: object, digests: frozenset[bytes]) -> SectionCheck:
    given = answer if isinstance(answer, Mapping) else {}
    if (set(given) != set(BUDGET_KEYS) or any(whole_number(v) is None for v in given.values())
            or given["nested_fits"] < given["grid_fits"]):
        return SectionCheck(0.0, "not checked: budget_answers should hold four positive whole numbers (nested_fits "
                                 "at least grid_fits), as its visible test says")
    numbers = budget_numbers(budget)
    wrong = [key for key in BUDGET_KEYS if digest(item, key, numbers, whole_number(given[key])) not in digests]
    return SectionCheck(0.75 * (4 - len(wrong)), f"look again at: {', '.join(wrong)}" if wrong else "right")
