"""The mock exam's practice self-check keys: hashed, from the hidden tests, at release time.

``coursekit.attempts.self_check`` lets a learner score Sections 1, 6 and 7 of a practice attempt at
once. It needs the keys, which live only in the hidden tests of ``solutions/09_mock_exam``; this
module (instructor tooling: learners' servers do not see ``solutions/``) reads the key dicts out of
those hidden tests (``classify_key``, ``scenario_key``, ``gray_key``: only their literal assignments are
executed, nothing else of the test) and writes ``coursekit/exam_practice_keys.json`` with, per bank
item, the salted slow hash of every whole-section answer that earns full points. No label, letter
or per-question hash is written. ``make release`` runs it; the output depends only on the keys, so a
release that changes no key leaves the file as it is.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from autograder.course import SOLUTIONS
from coursekit.attempts import KDF_ITERATIONS, KEYS_PATH, SELF_CHECKED, accepted_answers, answer_hash
from coursekit.exam_bank import SLOTS

ASSIGNMENT = "09_mock_exam"
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
    return {
        "about": "Practice self-check of module 09 (coursekit.attempts.self_check), written by "
                 "autograder/practice_keys.py at release: salted PBKDF2 hashes of whole-section answers, "
                 "one per accepted answer. Regenerate with `make release`; never edit by hand.",
        "kdf": {"name": "pbkdf2_hmac", "hash": "sha256", "iterations": KDF_ITERATIONS,
                "salt": "coursekit.attempts.item_salt(item id)"},
        "items": items,
    }


def write_practice_keys(path: Path = KEYS_PATH, solution: Path | None = None) -> bool:
    """Write the keys file; returns whether it changed."""
    text = json.dumps(practice_keys(solution), indent=1, sort_keys=True) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
