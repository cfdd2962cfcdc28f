"""The mock exam's answers as a learner's kernel holds them at the self-check cell, for the attempt tests:
the labels and letters from the instructor's hidden keys, the computed sections (counts, a penalty, a
search budget) by the solution notebook's own answer cells run on the paper."""

from __future__ import annotations

import contextlib
import functools
import io

import pandas as pd
from notebook_tools import solution_answers
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autograder.practice_keys import hidden_keys
from coursekit.exam import ExamPaper

COMPUTED_CELLS = ("ex_exam_count_learned", "ex_exam_penalty_survivors", "ex_exam_search_budget")


@functools.cache
def _solution_cells() -> dict[str, str]:
    return solution_answers("09_mock_exam")


def _first(accepted):
    return accepted if isinstance(accepted, str) else sorted(accepted)[0]


def right_exam_answers(learner: str, attempt: int) -> dict:
    """The notebook's globals() at the self-check cell, every self-checked section right."""
    keys, paper = hidden_keys(), ExamPaper(learner, attempt)
    namespace = {"exam": paper, "penalty": paper.penalty, "budget": paper.search_budget, "pd": pd,
                 "make_pipeline": make_pipeline, "StandardScaler": StandardScaler}
    with contextlib.redirect_stdout(io.StringIO()):  # the answer cells print their answers
        for cell in COMPUTED_CELLS:
            exec(_solution_cells()[cell], namespace)
    return {
        "LEARNER_ID": learner, "ATTEMPT": attempt,
        "mixed_labels": {q: _first(keys["classify"][q]) for q in paper.classify_items},
        "learned_counts": namespace["learned_counts"],
        "kept_features": namespace["kept_features"],
        "budget_answers": namespace["budget_answers"],
        "scenario_answers": {q: _first(keys["scenarios"][q]) for q in paper.scenarios},
        "gray_exam_labels": {q: _first(keys["gray"][q]) for q in paper.gray_items},
    }
