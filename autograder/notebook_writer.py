"""Writing the autograded notebook: the same bytes as nbconvert's NotebookExporter, for less.

nbgrader's autograde writes each submission twice (sanitised, then graded) through nbconvert's
``NotebookExporter``, whose ``nbformat.writes`` copies the whole notebook once more, validates it
again only to log what it finds, and serialises it with the standard library's pure-Python
encoder (its C encoder cannot indent). A grading worker uses ``AutogradeNotebookExporter``
(``Autograde.exporter_class``) instead: about 4 ms less a write on a graded notebook here.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat.v4.nbjson import BytesEncoder
from nbformat.v4.rwbase import split_lines, strip_transient

from autograder.lean_export import LeanExport

# nbformat's JSON layout (nbformat.v4.nbjson.JSONWriter)
_NBFORMAT_JSON = {"cls": BytesEncoder, "indent": 1, "sort_keys": True, "separators": (",", ": "),
                  "ensure_ascii": False}


class _NotPlainJSON(Exception):
    """A value the fast path does not write (the standard library's encoder decides)."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _write(value, parts: list[str], level: int) -> None:
    """Append ``value`` as ``json.dumps(value, **_NBFORMAT_JSON)`` would write it at ``level``."""
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = "\n" + " " * (level + 1)
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            if type(item) is str:  # most of a notebook: its lines
                parts.append(encode_basestring(item))
            else:
                _write(item, parts, level + 1)
            separator = "," + inner
        parts.append("\n" + " " * level + "]")
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = "\n" + " " * (level + 1)
        separator = "{" + inner
        for key, item in sorted(value.items()):
            if type(key) is not str:
                raise _NotPlainJSON
            parts.append(separator)
            parts.append(encode_basestring(key))
            parts.append(": ")
            _write(item, parts, level + 1)
            separator = "," + inner
        parts.append("\n" + " " * level + "}")
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float(value))
    elif isinstance(value, bytes):
        parts.append(encode_basestring(value.decode("ascii")))  # as nbformat's BytesEncoder
    else:
        raise _NotPlainJSON


def notebook_json(nb) -> str:
    """``json.dumps`` of a notebook prepared for writing (lines split, transient keys gone) in
    nbformat's layout, character for character; anything but plain JSON values and nbformat's
    bytes goes to the standard library's encoder, which writes it or raises as before."""
    parts: list[str] = []
    try:
        _write(nb, parts, 0)
    except (_NotPlainJSON, RecursionError):
        return json.dumps(nb, **_NBFORMAT_JSON)
    return "".join(parts)


class AutogradeNotebookExporter(LeanExport, NotebookExporter):
    """nbconvert's NotebookExporter, writing the same notebook file with less work:

    * the notebook it writes is the copy this export made (``Exporter.from_notebook_node``), so it
      is prepared for writing in place rather than copied once more;
    * it is not validated again: nbconvert validated it at the end of the preprocessing, raising
      on an invalid notebook (additional properties allowed), and ``nbformat.writes`` would only
      log what it finds;
    * it is serialised by ``notebook_json``.

    A notebook written in another version than 4 goes through ``nbformat.writes`` as before. It
    reads and preprocesses with a copy fewer (``LeanExport``).
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        nb_copy, resources = super(NotebookExporter, self).from_notebook_node(nb, resources, **kw)
        resources["output_suffix"] = (".nbconvert" if self.nbformat_version == nb_copy.nbformat
                                      else f".v{self.nbformat_version}")
        if self.nbformat_version == nb_copy.nbformat == 4:
            output = notebook_json(strip_transient(split_lines(nb_copy)))
        else:
            output = nbformat.writes(nb_copy, version=self.nbformat_version)
        return (output if output.endswith("\n") else output + "\n"), resources
