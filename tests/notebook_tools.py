"""What the tests need to run notebooks and play learners (one mechanism for each)."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
RELEASE = REPO / "notebooks"
WRONG_ANSWERS = Path(__file__).resolve().parent / "wrong_answers"
RIGHT_ANSWERS = Path(__file__).resolve().parent / "right_answers"

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def assignment_ids() -> list[str]:
    return sorted(p.parent.name for p in SOLUTIONS.glob("*/*.ipynb") if p.stem == p.parent.name)


def source_path(assignment: str) -> Path:
    return SOLUTIONS / assignment / f"{assignment}.ipynb"


def release_path(assignment: str) -> Path:
    return RELEASE / assignment / f"{assignment}.ipynb"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def answer_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """Autograded answer cells (solution, not graded themselves), by grade_id."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in notebook.cells
        if nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")
    }


def graded_test_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """Autograder test cells (graded, not solution), by grade_id."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in notebook.cells
        if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")
    }


def graders_of(answer_id: str, test_ids) -> list[str]:
    """Test cells that grade an answer cell: ex_<what> is graded by test_<what>[...]."""
    stem = answer_id.removeprefix("ex_")
    return [t for t in test_ids if t == f"test_{stem}" or t.startswith(f"test_{stem}_")]


def solution_answers(assignment: str) -> dict[str, str]:
    """The solution code of every answer cell, as a learner would type it (no markers)."""
    return {
        grade_id: "\n".join(line for line in cell.source.splitlines() if not SOLUTION_MARKERS.match(line))
        for grade_id, cell in answer_cells(read(source_path(assignment))).items()
    }


def hidden_test_lines(notebook) -> list[str]:
    """Every non-trivial line inside a hidden-test region (what must never reach a learner)."""
    lines = []
    for cell in notebook.cells:
        for region in HIDDEN_REGION.findall(cell.source):
            lines += [line.strip() for line in region.splitlines() if len(line.strip()) > 12]
    return lines


def _answers_module(folder: Path, assignment: str, name: str):
    path = folder / f"{assignment}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"{folder.name}_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def wrong_answers(assignment: str) -> dict[str, str]:
    """Plausible wrong answers for each exercise, from tests/wrong_answers/<assignment>.py."""
    return _answers_module(WRONG_ANSWERS, assignment, "WRONG")


def right_answers(assignment: str) -> dict[str, list[str]]:
    """Correct answers written differently from the solution, several per exercise, from
    tests/right_answers/<assignment>.py (each must earn full marks)."""
    right = _answers_module(RIGHT_ANSWERS, assignment, "RIGHT")
    return {grade_id: list(variants) for grade_id, variants in right.items()}


def fill(release_notebook, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the released notebook with some answer cells replaced, as a learner would."""
    notebook = copy.deepcopy(release_notebook)
    for cell in notebook.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def run_notebook(notebook, cwd: Path, timeout: int = 300, allow_errors: bool = False):
    """Execute a notebook with a fresh kernel, in ``cwd``; returns the executed notebook."""
    notebook = copy.deepcopy(notebook)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return notebook


_REPORT = "NOTEBOOK-CELLS-REPORT "


def run_cells(assignment: str, cell_ids: list[str], report: str, timeout: int = 600) -> dict:
    """Run some cells of a solution notebook, by id and in the given order (solution markers
    dropped), in a fresh interpreter, then evaluate ``report`` there: an expression whose value
    (JSON-serialisable) is returned. For tests that check what the prose says about the numbers
    those cells print, without executing the whole notebook."""
    cells = {c.get("id"): c.source for c in read(source_path(assignment)).cells}
    missing = [cid for cid in cell_ids if cid not in cells]
    assert not missing, f"{assignment}: no cells {missing}; the checks name cells by id"
    program = "\n\n".join(
        "\n".join(line for line in cells[cid].splitlines() if not SOLUTION_MARKERS.match(line))
        for cid in cell_ids
    )
    program += f"\n\nimport json as _json\nprint({_REPORT!r} + _json.dumps({report}))\n"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=timeout,
        cwd=source_path(assignment).parent,
    )
    assert done.returncode == 0, f"{assignment} cells {cell_ids} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    line = next(x for x in done.stdout.splitlines()[::-1] if x.startswith(_REPORT))
    return json.loads(line.removeprefix(_REPORT))
