"""Every solution notebook runs top to bottom; every release runs up to its unanswered exercises."""

from __future__ import annotations

import pytest
from notebook_tools import assignment_ids, nbgrader_meta, read, release_path, run_notebook, source_path


@pytest.mark.parametrize("assignment", assignment_ids())
def test_solution_notebook_executes(assignment):
    path = source_path(assignment)
    executed = run_notebook(read(path), cwd=path.parent)
    stderr = [
        (i, o.text[:300])
        for i, c in enumerate(executed.cells)
        for o in c.get("outputs", [])
        if o.output_type == "stream" and o.name == "stderr"
    ]
    assert not stderr, f"{assignment}: cells write to stderr (warnings?): {stderr}"


@pytest.mark.parametrize("assignment", assignment_ids())
def test_release_fails_only_where_answers_are_missing(assignment):
    path = release_path(assignment)
    executed = run_notebook(read(path), cwd=path.parent, allow_errors=True)
    for index, cell in enumerate(executed.cells):
        for output in cell.get("outputs", []):
            if output.output_type != "error":
                continue
            meta = nbgrader_meta(cell)
            # Unanswered exercises raise NotImplementedError; their tests then fail on the
            # missing name or the NotImplementedError itself. Nothing else may fail.
            assert meta.get("solution") or meta.get("grade"), (
                f"{assignment}: cell {index} fails in the release: {output.ename}: {output.evalue}"
            )
