"""What the tests need to run notebooks and play learners (one mechanism for each)."""

from __future__ import annotations

import copy
import importlib.util
import re
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
