"""Keep hidden tests out of the feedback learners receive."""

from __future__ import annotations

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
