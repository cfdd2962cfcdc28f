"""Feedback learners receive: no hidden tests, and cheap to render once per submission."""

from __future__ import annotations

from jinja2 import BytecodeCache
from nbconvert.exporters import HTMLExporter
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests


class HideHiddenTests(ClearHiddenTests):
    """Feedback preprocessor: strip hidden-test regions from test cells and reduce their errors
    to the message.

    Removing the region from the source is not enough: an IPython traceback quotes the failing
    source line (often the expected value), so a test cell's traceback is replaced by its last
    line, ``ExceptionName: message``. Hidden tests therefore write messages that say what is
    wrong without giving the answer.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            # A learner may have pasted the delimiter into an answer cell; only test cells count.
            self._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class _InMemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept for the life of the process (jinja checks each template's
    source checksum, so an edited template is compiled afresh)."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _InMemoryBytecodeCache()


class FeedbackHTMLExporter(HTMLExporter):
    """nbgrader's feedback exporter (HTMLExporter, with nbgrader's feedback template) that compiles
    its templates once per process instead of once per page: a grading worker writes feedback for
    submission after submission, and compiling nbconvert's templates was a quarter of that."""

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = _TEMPLATES
        return environment
