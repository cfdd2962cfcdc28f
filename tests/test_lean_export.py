"""The worker's exporters read without validating and preprocess with a copy fewer
(autograder/lean_export.py), and give exactly what nbconvert's own reading and preprocessing give,
refusing what it refuses."""

from __future__ import annotations

import copy
import itertools
import re

import nbformat
import pytest
from nbconvert.preprocessors import ClearOutputPreprocessor
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_tools import RELEASE, SOLUTIONS
from test_feedback_page import _feedback_config, _graded
from test_notebook_writer import graded_looking_notebook

from autograder.feedback import FeedbackHTMLExporter
from autograder.lean_export import LeanExport
from autograder.notebook_writer import AutogradeNotebookExporter

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _nbconverts_own(monkeypatch) -> None:
    """Put nbconvert's reading and preprocessing back under LeanExport."""
    monkeypatch.setattr(LeanExport, "from_file", lambda self, *a, **k: super(LeanExport, self).from_file(*a, **k))
    monkeypatch.setattr(LeanExport, "_preprocess", lambda self, *a, **k: super(LeanExport, self)._preprocess(*a, **k))


def _ids_to_repair() -> list[nbformat.NotebookNode]:
    """Notebooks that reading used to repair in place (nbformat 4.5 cells without an id, or two
    cells with one id): normalising repairs them now."""
    missing = new_notebook(cells=[new_markdown_cell("# Q"), new_code_cell("x = 1")])
    for cell in missing.cells:
        del cell["id"]
    twice = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("b = 2")])
    twice.cells[1]["id"] = twice.cells[0]["id"]
    return [missing, twice]


def _exporters() -> list:
    autograde = AutogradeNotebookExporter()
    autograde.register_preprocessor(ClearOutputPreprocessor(), enabled=True)
    return [autograde, FeedbackHTMLExporter(config=_feedback_config())]


def _export_all(tmp_path, notebooks, monkeypatch) -> list[tuple[str, str, str]]:
    """(output, its extension, its name) of every notebook through each exporter, read from a file."""
    pages = []
    for exporter in _exporters():
        for index, nb in enumerate(notebooks):
            # the ids nbformat gives cells it repairs, the same in every export (they are random)
            ids = itertools.count()
            monkeypatch.setattr(nbformat.validator, "generate_corpus_id", lambda ids=ids: f"repaired{next(ids)}")
            nb, resources = _graded(nb, "nb")  # as nbgrader's GetGrades leaves it for the page
            path = tmp_path / f"nb{index}.ipynb"
            path.write_text(nbformat.v4.writes(nb))
            page, resources = exporter.from_filename(str(path), resources=resources)
            pages.append((_UUID.sub("<uuid>", page), resources["output_extension"], resources["metadata"]["name"]))
    return pages


def test_exports_are_nbconverts_to_the_character(tmp_path, monkeypatch):
    paths = sorted(SOLUTIONS.glob("*/*.ipynb"))[:4] + sorted(RELEASE.glob("*/*.ipynb"))[:4]
    notebooks = [graded_looking_notebook(), *_ids_to_repair(), *(nbformat.read(p, as_version=4) for p in paths)]
    with pytest.warns(Warning):  # nbformat's notice that it repaired the ids
        ours = _export_all(tmp_path, notebooks, monkeypatch)
    _nbconverts_own(monkeypatch)
    with pytest.warns(Warning):
        theirs = _export_all(tmp_path, notebooks, monkeypatch)
    assert len(ours) == 2 * len(notebooks)
    assert ours == theirs
    assert '"id": "repaired1"' in ours[1][0] and '"id": "repaired0"' in ours[2][0]  # the ids were repaired
    assert "repaired1" in ours[len(notebooks) + 1][0]  # and the feedback page shows them


@pytest.mark.parametrize("optimistic", [True, False])
def test_an_invalid_notebook_is_refused_as_nbconvert_refuses_it(tmp_path, monkeypatch, optimistic):
    path = tmp_path / "invalid.ipynb"
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.cells[0].metadata["tags"] = "one"  # the schema wants a list of strings
    path.write_text(nbformat.v4.writes(nb))
    for own in (False, True):
        if own:
            _nbconverts_own(monkeypatch)
        for exporter in _exporters():
            exporter.optimistic_validation = optimistic
            with pytest.raises(nbformat.ValidationError):
                exporter.from_filename(str(path))


def test_the_notebook_handed_in_is_left_as_it_was():
    nb, resources = _graded(graded_looking_notebook(), "nb")
    before = copy.deepcopy(nb)
    for exporter in _exporters():
        exporter.from_notebook_node(nb, resources=copy.deepcopy(resources))
    assert nb == before and nb.cells[1].outputs  # the preprocessor cleared the export's copy only
