"""One validation and one copy fewer per nbconvert export that nbgrader runs in a grading worker.

nbgrader exports each submission three times (sanitised, autograded, feedback page), and each
export through nbconvert reads the notebook with ``nbformat.read``, which validates it only to
log what it finds, then copies it three times: ``Exporter.from_notebook_node`` copies it,
``Exporter._preprocess`` copies that copy, and ``nbformat.validator.normalize`` copies it again.
``LeanExport``, mixed into the worker's exporters, reads without that validation and preprocesses
the first copy without making the second. What the preprocessors see is unchanged: the
normalised notebook, repaired the way validation on reading would have repaired it. What is
refused is unchanged too: the export validates its result at the end and raises on an invalid
notebook (``Exporter.optimistic_validation``, which the worker sets; without it, after every
preprocessor, as nbconvert does).
"""

from __future__ import annotations

import copy

import nbformat
from nbformat import validator


def read_unvalidated(file_stream) -> nbformat.NotebookNode:
    """``nbformat.read(file_stream, as_version=4)`` without validating on reading (which only
    logs); unreadable JSON raises as before."""
    return nbformat.convert(nbformat.reader.reads(file_stream.read()), 4)


class LeanExport:
    """Mixin for an nbconvert ``Exporter`` (before it in the bases)."""

    def from_file(self, file_stream, resources=None, **kw):
        return self.from_notebook_node(read_unvalidated(file_stream), resources=resources, **kw)

    def _preprocess(self, nb, resources):
        # ``nb`` is the copy Exporter.from_notebook_node made for this export, which nothing else
        # holds: normalising copies it once more, and the preprocessors work on that.
        resources = copy.deepcopy(resources)
        _, nb = validator.normalize(nb)
        preprocessor = None
        for preprocessor in self._preprocessors:
            nb, resources = preprocessor(nb, resources)
            if not self.optimistic_validation:
                self._validate_preprocessor(nb, preprocessor)
        if self.optimistic_validation:
            self._validate_preprocessor(nb, preprocessor)
        return nb, resources
