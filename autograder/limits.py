"""nbgrader preprocessors the cohort grader adds around nbgrader's own execution step."""

from __future__ import annotations

import time

from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

# The last notebook's execution, for the benchmark's breakdown: all of it (kernel start to
# shutdown), the kernel's start until it answers, and the first code cell (the course's imports).
EXECUTION_SECONDS = 0.0
KERNEL_START_SECONDS = 0.0
FIRST_CELL_SECONDS = 0.0


def reset_timers() -> None:
    global EXECUTION_SECONDS, KERNEL_START_SECONDS, FIRST_CELL_SECONDS
    EXECUTION_SECONDS = KERNEL_START_SECONDS = FIRST_CELL_SECONDS = 0.0


class TimedExecute(Execute):
    """nbgrader's Execute, unchanged, timed (the benchmark separates execution from overhead)."""

    def preprocess(self, nb, resources=None, km=None):
        global EXECUTION_SECONDS
        self._started = time.monotonic()
        self._first_cell_timed = False
        try:
            return super().preprocess(nb, resources, km)
        finally:
            EXECUTION_SECONDS += time.monotonic() - self._started

    def start_new_kernel_client(self, **kwargs):
        global KERNEL_START_SECONDS
        try:
            return super().start_new_kernel_client(**kwargs)
        finally:
            KERNEL_START_SECONDS += time.monotonic() - self._started

    def preprocess_cell(self, cell, resources, index):
        global FIRST_CELL_SECONDS
        if cell.cell_type != "code" or self._first_cell_timed:
            return super().preprocess_cell(cell, resources, index)
        self._first_cell_timed = True
        started = time.monotonic()
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            FIRST_CELL_SECONDS += time.monotonic() - started


class LimitOutputSize(NbGraderPreprocessor):
    """Cap each code cell's outputs in characters (nbgrader's LimitOutput counts lines, so one
    megabyte-long line passes it): a learner's runaway print must not make a feedback page or
    gradebook huge."""

    max_chars = Integer(20_000, help="characters of output kept per cell").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        budget, kept = self.max_chars, []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                if len(text) > budget:
                    output["text"] = text[: max(budget, 0)] + f"\n... output truncated ({len(text):,} characters) ...\n"
                budget -= len(text)
            elif output.get("output_type") in ("display_data", "execute_result"):
                data = output.get("data", {})
                size = sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())
                if size > max(budget, self.max_chars * 25):  # images are big; a megabyte of HTML is not
                    output["data"] = {"text/plain": f"... output removed ({size:,} characters) ..."}
                    output["metadata"] = {}
                budget -= min(size, self.max_chars)
            kept.append(output)
        cell["outputs"] = kept
        return cell, resources
