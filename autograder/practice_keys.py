"""The mock exam's practice self-check keys: hashed, from the hidden tests, at release time.

``coursekit.attempts.self_check`` lets a learner score every section of a practice attempt at once
but the tuning task (Section 4, whose checks are about code). For Sections 1, 6 and 7 it needs the
keys, which live only in the hidden tests of ``solutions/09_mock_exam``; this
module (instructor tooling: learners' servers do not see ``solutions/``) reads the key dicts out of
those hidden tests (``classify_key``, ``scenario_key``, ``gray_key``: only their literal assignments are
executed, nothing else of the test) and writes ``coursekit/exam_practice_keys.json`` with, per bank
item, the salted slow hash of every whole-section answer that earns full points. No label, letter
or per-question hash is written. ``make release`` runs it; the output depends only on the keys, so a
release that changes no key leaves the file as it is.

Sections 2, 3 and 5 have no key to read: their answers are computed from each paper's numbers. For
them this module enumerates every paper an item can draw (the number spaces ``coursekit.exam`` draws
from), computes each part's right answer the way the hidden tests do (the counting formula, the
penalised model refitted on its split, the budget formula; tests/test_exam_fairness.py checks
that the self-check and the hidden tests agree) and writes the digests of ``coursekit.practice_digests``.
"""

from __future__ import annotations

import ast
import json
import re
from itertools import product
from pathlib import Path

import pandas as pd
from sklearn.preprocessing import StandardScaler

from autograder.course import SOLUTIONS
from coursekit.attempts import KDF_ITERATIONS, KEYS_PATH, SELF_CHECKED, accepted_answers, answer_hash
from coursekit.exam import (
    ASSIGNMENT,
    BUDGET_EXTRA,
    BUDGET_SIZES,
    COUNT_CLASSES,
    COUNT_FEATURES,
    COUNT_LAYER_SIZES,
    COUNT_LAYERS,
    COUNT_LINEAR,
    LINEAR_FEATURES,
    MULTICLASS_NETWORK,
    PENALTY_CHOICES,
    exam_split,
    penalty_of,
)
from coursekit.exam_bank import SLOTS
from coursekit.practice_digests import (
    BUDGET_KEYS,
    COMPUTED,
    KEPT,
    budget_numbers,
    digest,
    linear_numbers,
    network_numbers,
    pack,
    penalty_numbers,
)

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
# The name of the key dict in each self-checked slot's hidden test.
KEY_NAMES = {"classify": "classify_key", "scenarios": "scenario_key", "gray": "gray_key"}


def _literal_assignments(code: str) -> dict:
    """The names a hidden test binds to literals (dicts, sets, strings: no call, no other name's value
    but another literal's), evaluated without running the test."""
    namespace: dict = {}
    for node in ast.parse(code).body:
        if not isinstance(node, ast.Assign) or not all(isinstance(t, ast.Name) for t in node.targets):
            continue
        if any(isinstance(n, (ast.Call, ast.Attribute, ast.Subscript, ast.Lambda)) for n in ast.walk(node.value)):
            continue
        names = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
        if names <= set(namespace):
            exec(compile(ast.Module([node], []), "<hidden test>", "exec"), {"__builtins__": {}}, namespace)
    return namespace


def hidden_keys(solution: Path | None = None) -> dict[str, dict]:
    """slot -> the key dict its hidden test grades with (question -> label/letter or set of them)."""
    solution = solution or SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    cells = json.loads(solution.read_text(encoding="utf-8"))["cells"]
    keys = {}
    for slot, name in KEY_NAMES.items():
        for test_id in SLOTS[slot].test_cells:
            cell = next(c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == test_id)
            source = "".join(cell["source"])
            for region in HIDDEN.findall(source):
                found = _literal_assignments(region).get(name)
                if found is not None:
                    keys[slot] = found
        if slot not in keys:
            raise ValueError(f"{solution}: no literal {name} in the hidden tests of {SLOTS[slot].test_cells}")
    return keys


def practice_keys(solution: Path | None = None) -> dict:
    keys = hidden_keys(solution)
    items = {}
    for slot in SELF_CHECKED:
        for item in SLOTS[slot].items:
            hashes = sorted(answer_hash(item.id, answer) for answer in accepted_answers(item.id, keys[slot]))
            items[item.id] = {"slot": slot, "hashes": hashes}
    for slot in COMPUTED:
        for item in SLOTS[slot].items:
            items[item.id] = {"slot": slot, "digests": pack(COMPUTED_DIGESTS[slot](item.id))}
    return {
        "about": "Practice self-check of module 09 (coursekit.attempts.self_check), written by "
                 "autograder/practice_keys.py at release: salted PBKDF2 hashes of whole-section answers, "
                 "one per accepted answer. Regenerate with `make release`; never edit by hand.",
        "kdf": {"name": "pbkdf2_hmac", "hash": "sha256", "iterations": KDF_ITERATIONS,
                "salt": "coursekit.attempts.item_salt(item id)"},
        "digests": "Sections 2, 3 and 5: coursekit.practice_digests.digest of (part, the paper's numbers, "
                   "the right answer) for every paper the item can draw, packed",
        "items": items,
    }


# The computed sections: every paper an item can draw, and each part's right answer ----------------------
def _network_count(n_features: int, n_classes: int, hidden: tuple[int, ...]) -> int:
    sizes = [n_features, *hidden, 1 if n_classes == 2 else n_classes]
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def count_digests(item: str) -> list[bytes]:
    network_classes = COUNT_CLASSES if item in MULTICLASS_NETWORK else (2,)
    linear_classes = (2,) if item in MULTICLASS_NETWORK else COUNT_CLASSES
    layers = [tuple(sizes) for depth in COUNT_LAYERS for sizes in product(COUNT_LAYER_SIZES, repeat=depth)]
    digests = [digest(item, "mlp", network_numbers((f, k, hidden)), str(_network_count(f, k, hidden)))
               for f, k, hidden in product(COUNT_FEATURES, network_classes, layers)]
    digests += [digest(item, "linear", linear_numbers(COUNT_LINEAR[item], (f, k)), str((1 if k == 2 else k) * (f + 1)))
                for f, k in product(LINEAR_FEATURES, linear_classes)]
    return digests


def penalty_digests(item: str) -> list[bytes]:
    alphas, seeds = PENALTY_CHOICES[item]
    digests = []
    for seed in seeds:
        split = exam_split("diabetes", seed)
        scaled = StandardScaler().fit_transform(split.X_train)  # the same for every alpha of this split
        for alpha in alphas:
            penalty = penalty_of(item, alpha, seed, split)
            weights = pd.Series(penalty.model().fit(scaled, split.y_train).coef_, index=split.X_train.columns)
            kept = weights.index[weights != 0] if penalty.asks == "nonzero" else weights.abs().nlargest(3).index
            digests += [digest(item, name, penalty_numbers(penalty), KEPT) for name in kept]
    return digests


def budget_digests(item: str) -> list[bytes]:
    spaces = dict(BUDGET_SIZES)
    if extra := BUDGET_EXTRA.get(item):
        spaces[extra[0]] = extra[1]
    digests = []
    for values in product(*spaces.values()):
        sizes = dict(zip(spaces, values))
        candidates = sizes["n_C"] * sizes["n_gamma"] * sizes.get("n_class_weight", 1)
        one_search = sizes["inner_folds"] * sizes.get("inner_repeats", 1) * candidates + 1
        right = {"grid_fits": one_search, "nested_fits": sizes["outer_folds"] * one_search,
                 "grid_distinct_C": sizes["n_C"], "random_distinct_C": candidates}
        digests += [digest(item, key, budget_numbers(sizes), str(right[key])) for key in BUDGET_KEYS]
    return digests


COMPUTED_DIGESTS = {"count": count_digests, "penalty": penalty_digests, "budget": budget_digests}


def write_practice_keys(path: Path = KEYS_PATH, solution: Path | None = None) -> bool:
    """Write the keys file; returns whether it changed."""
    text = json.dumps(practice_keys(solution), indent=1, sort_keys=True) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
