"""The worker's autograded-notebook writer (autograder/notebook_writer.py) writes exactly what
nbconvert's NotebookExporter and nbformat.writes write, and fails where they fail."""

from __future__ import annotations

import base64
import copy
import json

import nbformat
import pytest
from nbconvert.exporters import NotebookExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from nbformat.v4.rwbase import split_lines, strip_transient
from notebook_tools import RELEASE, SOLUTIONS

from autograder.notebook_writer import AutogradeNotebookExporter, notebook_json


def graded_looking_notebook() -> nbformat.NotebookNode:
    """What an autograded notebook holds, and the corners of JSON a learner's outputs can reach."""
    png = base64.b64encode(bytes(range(256)) * 4).decode()
    outputs = [
        new_output("stream", name="stdout", text="Ünïcödé ✓ \"quoted\" \\ back\tslash\nsecond line\n\x00\x1f"),
        new_output("stream", name="stderr", text=""),
        new_output("display_data", data={"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>",
                                         "text/html": "<table>\n<tr><td>1</td></tr>\n</table>\n",
                                         "application/json": {"b": [1, 2.5, -0.0, 1e300, None, True], "a": {}}},
                   metadata={"image/png": {"width": 640, "height": 480}}),
        new_output("execute_result", execution_count=3, data={"text/plain": "0.1 + 0.2 = 0.30000000000000004"}),
        new_output("error", ename="AssertionError", evalue="wrong ✗", traceback=["\x1b[0;31mAssertionError\x1b[0m"]),
    ]
    nb = new_notebook(cells=[
        new_markdown_cell("# Title\n\nText with ünicode, emoji 🧪 and a trailing space \n",
                          attachments={"a.png": {"image/png": png}}),
        new_code_cell("x = 1\nprint(x)", outputs=outputs, execution_count=3,
                      metadata={"nbgrader": {"grade": True, "grade_id": "t1", "points": 2, "locked": True,
                                             "schema_version": 3, "solution": False},
                                "trusted": True, "tags": [], "collapsed": False}),
        new_code_cell("", outputs=[], metadata={}),
        new_raw_cell("raw\r\nwindows line\r\n"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                 "language_info": {"name": "python", "version": "3.11.7", "codemirror_mode": {"name": "ipython",
                                                                                              "version": 3}},
                 "orig_nbformat": 4, "signature": "sha256:0", "ratio": float("nan"), "big": 10**30,
                 "limits": [float("inf"), float("-inf")], "tuple": (1, "two"), "bytes": b"aGk="})
    return nb


def course_notebooks() -> list[nbformat.NotebookNode]:
    paths = sorted(SOLUTIONS.glob("*/*.ipynb")) + sorted(RELEASE.glob("*/*.ipynb"))
    assert paths
    return [nbformat.read(str(path), as_version=4) for path in paths]


def test_a_notebook_is_written_character_for_character_as_nbformat_writes_it():
    for nb in [graded_looking_notebook(), *course_notebooks()]:
        expected = nbformat.writes(nb)
        assert notebook_json(strip_transient(split_lines(copy.deepcopy(nb)))) == expected
    # and what nbformat reads back from it is the notebook it was given, minus the transient keys
    nb = graded_looking_notebook()
    again = nbformat.reads(notebook_json(strip_transient(split_lines(copy.deepcopy(nb)))), as_version=4)
    assert again.cells[1].outputs[2].data["image/png"] == nb.cells[1].outputs[2].data["image/png"]
    assert "signature" not in again.metadata and "trusted" not in again.cells[1].metadata


def test_what_is_not_plain_json_is_left_to_the_standard_encoder():
    standard = {"indent": 1, "sort_keys": True, "separators": (",", ": "), "ensure_ascii": False}
    written = {"int key": {1: "one"}, "float key": {2.5: [True, None]}}
    assert notebook_json(written) == json.dumps(written, **standard)
    for bad in ({"set": {1, 2}}, {"object": object()}, {1: "mixed", "keys": "unsortable"}):
        with pytest.raises(TypeError) as ours:
            notebook_json(bad)
        with pytest.raises(TypeError) as theirs:
            json.dumps(bad, **standard)
        assert str(ours.value) == str(theirs.value)
    looped: list = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular reference"):
        notebook_json({"loop": looped})


def test_the_autograde_exporter_gives_nbconverts_file_and_resources():
    for nb in [graded_looking_notebook(), *course_notebooks()[:3]]:
        ours, our_resources = AutogradeNotebookExporter().from_notebook_node(copy.deepcopy(nb))
        theirs, their_resources = NotebookExporter().from_notebook_node(copy.deepcopy(nb))
        assert ours == theirs
        assert our_resources["output_suffix"] == their_resources["output_suffix"] == ".nbconvert"
