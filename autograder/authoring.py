"""Build nbgrader-tagged notebooks from Python, for instructors writing ``solutions/``.

The notebook in ``solutions/`` stays the single source of truth; these helpers only spare an
author hand-written nbgrader metadata. Use them from a scratch script or a notebook::

    from autograder.authoring import md, setup, answer, tests, write
    write("solutions/00_orientation/00_orientation.ipynb", [md("# Title"), setup("import numpy"), ...])
"""

from __future__ import annotations

from pathlib import Path

import nbformat

COMPETENCIES = (
    "definitions",
    "classify-settings",
    "regularisation",
    "tuning-code",
    "tuning-hygiene",
    "search-strategies",
    "gray-areas",
)


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def md(source: str) -> nbformat.NotebookNode:
    """A markdown cell learners may not need to edit (not locked: it is prose)."""
    return nbformat.v4.new_markdown_cell(source.strip("\n"))


def code(source: str) -> nbformat.NotebookNode:
    """An ordinary code cell (demos, worked examples)."""
    return nbformat.v4.new_code_cell(source.strip("\n"))


def setup(source: str, grade_id: str) -> nbformat.NotebookNode:
    """A locked code cell: restored from the source at autograde if a learner edits it."""
    cell = code(source)
    cell.metadata["nbgrader"] = _nbgrader(grade_id, grade=False, solution=False, locked=True)
    return cell


def answer(source: str, grade_id: str, competency: str) -> nbformat.NotebookNode:
    """An autograded answer cell; wrap the solution in ``### BEGIN SOLUTION`` / ``### END SOLUTION``."""
    if not grade_id.startswith("ex_"):
        raise ValueError(f"answer cells are named ex_<what>, not {grade_id!r}")
    assert competency in COMPETENCIES, competency
    cell = code(source)
    cell.metadata["nbgrader"] = _nbgrader(grade_id, grade=False, solution=True, locked=False)
    cell.metadata["course"] = {"competency": competency}
    return cell


def tests(source: str, grade_id: str, points: float, competency: str) -> nbformat.NotebookNode:
    """A locked, graded test cell; hidden checks go between ``### BEGIN HIDDEN TESTS`` / ``END``."""
    if not grade_id.startswith("test_"):
        raise ValueError(f"test cells are named test_<what>, not {grade_id!r}")
    assert competency in COMPETENCIES, competency
    cell = code(source)
    cell.metadata["nbgrader"] = _nbgrader(grade_id, grade=True, solution=False, locked=True, points=points)
    cell.metadata["course"] = {"competency": competency}
    return cell


def write(path: str | Path, cells: list) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    # Stable cell ids keep regenerated notebooks byte-identical between runs.
    for index, cell in enumerate(notebook.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.id = grade_id.replace("_", "-") if grade_id else f"cell-{index:03d}"
    nbformat.validate(notebook)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
