"""A cohort of good, wrong and hostile submissions of module 00 (the fastest notebook), built from
the real release: each hostile learner types the correct answers except in one cell.

``expected`` says what each learner's grades.csv row must show: the status (or statuses, where
more than one is a fair outcome) and, where it is exact, the score.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from notebook_tools import fill, read, release_path, solution_answers

ASSIGNMENT = "00_orientation"
FIRST = "ex_split_state"     # the exercise the hostile code replaces (graded by test_split_state, 3 points)
FIRST_POINTS = 3
FULL = 9

HOSTILE_CODE = {
    "loops": "while True:\n    pass",
    "sys-exit": "import sys\nsys.exit(3)",
    "os-exit": "import os\nos._exit(1)",
    "memory-hog": """hog = []
while True:
    hog.append(bytearray(200_000_000))
    hog[-1][::4096] = b'x' * len(hog[-1][::4096])""",
    "fork-bomb": "import os\nwhile True:\n    os.fork()",
    "network": """import socket
socket.create_connection(('1.1.1.1', 53), timeout=5).close()
print('NETWORK REACHED')""",
    # Any copy of this module's source, autograded notebook or gradebook it can read anywhere:
    # solutions/, another checkout of the course, its own notebook on disk or the grading
    # workspace's gradebook (both hold the hidden tests).
    "reads-solutions": """import os
seen = 0
for top in ('/', '{solutions}'):
    for root, folders, files in os.walk(top):
        folders[:] = [f for f in folders if os.path.join(root, f) not in ('/proc', '/sys', '/dev')]
        for name in files:
            seen += 1
            if name.endswith(('.ipynb', '.db')):
                try:
                    text = open(os.path.join(root, name), 'rb').read().decode('utf-8', 'replace')
                except OSError as error:
                    print('refused', name, error)
                    continue
                if 'split_state' in text:
                    marker = 'BEGIN HIDDEN ' + 'TESTS'  # not spelled out: this code is in the feedback page
                    hidden = 'HIDDEN TESTS SEEN' if marker in text else 'no hidden tests'
                    print(os.path.join(root, name), hidden, text[:2000])
print('looked at', seen, 'files')""",
    "writes-gradebook": """import glob
hits = glob.glob('{out}/**/gradebook.db', recursive=True) + glob.glob('/tmp/**/gradebook.db', recursive=True)
for path in hits + ['../../../gradebook.db', '{out}/workspace/gradebook.db']:
    try:
        open(path, 'w').write('pwned')
        print('WROTE', path)
    except OSError as error:
        print('refused', path, error)""",
}


def _write(notebook, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def build(folder: Path, out: Path, solutions: Path) -> dict[str, dict]:
    """Write the cohort into ``folder`` (nbgrader layout plus LMS-style files at the top) and
    return what each learner's row must show."""
    release = read(release_path(ASSIGNMENT))
    correct = solution_answers(ASSIGNMENT)
    here = lambda learner: folder / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"  # noqa: E731
    expected: dict[str, dict] = {}

    _write(fill(release, correct), here("good"))
    expected["good"] = {"status": {"graded"}, "score": FULL}
    _write(release, here("untouched"))
    expected["untouched"] = {"status": {"graded"}, "score": 0}

    for learner, code in HOSTILE_CODE.items():
        code = code.format(solutions=solutions / ASSIGNMENT, out=out)
        _write(fill(release, {**correct, FIRST: code}), here(learner))
        expected[learner] = {"status": {"graded"}, "score": FULL - FIRST_POINTS}
    expected["loops"] = {"status": {"timeout"}, "score": FULL - FIRST_POINTS}
    expected["os-exit"] = {"status": {"crashed"}, "score": 0}
    # A fork bomb may exhaust its process quota before or after the later cells run.
    expected["fork-bomb"] = {"status": {"graded", "crashed", "timeout"}}
    expected["memory-hog"] = {"status": {"graded", "crashed"}}

    # A locked test cell "fixed" to always pass, with a wrong answer: nbgrader restores the test.
    notebook = fill(release, {**correct, FIRST: "# no idea"})
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_split_state":
            cell.source = "print('all good')"
    _write(notebook, here("edits-locked-test"))
    expected["edits-locked-test"] = {"status": {"graded"}, "score": FULL - FIRST_POINTS, "reason": "locked"}

    notebook = fill(release, correct)
    notebook.cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_split_state"]
    _write(notebook, here("deletes-graded-cell"))
    expected["deletes-graded-cell"] = {"status": {"graded"}, "score": FULL - FIRST_POINTS, "reason": "missing"}

    # Valid JSON, invalid notebook metadata: nbgrader puts the kernelspec back before it runs it, and
    # the answers are graded. (When nbconvert validated after every step, not once per pass, it
    # refused this notebook, which then scored 0 as "crashed".)
    notebook = fill(release, correct)
    notebook.metadata["kernelspec"] = 5
    _write(notebook, here("broken-kernelspec"))
    expected["broken-kernelspec"] = {"status": {"graded"}, "score": FULL}

    bad = here("not-json")
    bad.parent.mkdir(parents=True)
    bad.write_text('{"cells": [ this is not JSON')
    expected["not-json"] = {"status": {"invalid"}, "score": 0, "reason": "not a valid"}
    empty = here("empty-file")
    empty.parent.mkdir(parents=True)
    empty.write_text("")
    expected["empty-file"] = {"status": {"invalid"}, "score": 0, "reason": "empty"}

    # Module 00's notebook filed under another assignment's name: graded as what it is.
    _write(fill(release, correct), folder / "misfiled" / "01_linear_models" / "01_linear_models.ipynb")
    expected["misfiled"] = {"status": {"graded"}, "score": FULL, "reason": "submitted as 01_linear_models"}

    # Megabytes of output, both carried in the file and printed while grading.
    notebook = fill(release, {**correct, FIRST: "print('y' * 3_000_000)\n" + correct[FIRST]})
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="z" * 1_000_000)]
    _write(notebook, here("huge-output"))
    expected["huge-output"] = {"status": {"graded"}, "score": FULL}

    # An LMS-style flat file next to the nbgrader folders: learner id before the first "_".
    _write(fill(release, correct), folder / "flatlearner_attempt2_final.ipynb")
    expected["flatlearner"] = {"status": {"graded"}, "score": FULL}
    (folder / "manifest.json").write_text(json.dumps(sorted(expected)))
    return expected
