"""Similarity flags between learners' answers (autograder/similarity.py), on the course's real release
and real answers: a disguised copy is flagged, independent correct answers and the scaffold are not, and
the page shows what was flagged and why, escaped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from notebook_tools import assignment_ids, fill, read, release_path, right_answers, solution_answers

from autograder.similarity import (
    THRESHOLD,
    answers_by_cell,
    find_similar,
    own_code,
    write_similarity_page,
)

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT, CELL = "01_linear_models", "ex_tune_lasso_alpha"
RELEASE = read(release_path(ASSIGNMENT))
SOLUTION = solution_answers(ASSIGNMENT)[CELL]
# The solution as a copier hands it in: its own names renamed, spacing and line breaks changed, comments
# and a blank line added (the def line and docstring are the release's).
DISGUISED = '''def tune_lasso_alpha(X_train, y_train, X_test, y_test):
    """Tune lasso's alpha on the training data; return (search, best_alpha, test_rmse)."""
    # grid over alpha, scaler inside the pipeline
    gs = GridSearchCV(make_pipeline(StandardScaler(), Lasso()),
                      param_grid = {"lasso__alpha": np.logspace(-2, 1, 10)}, cv = 5,
                      scoring = "neg_root_mean_squared_error")

    gs.fit(X_train, y_train)   # training data only
    alpha_star = float(gs.best_params_[ "lasso__alpha" ])
    rmse = float(root_mean_squared_error(y_test, gs.predict(X_test)))
    return gs, alpha_star, rmse
'''


def cohort(**answers: str) -> dict[str, bytes | nbformat.NotebookNode]:
    """learner -> the release with that learner's answer to CELL (every other learner a file's bytes)."""
    return {learner: fill(RELEASE, {CELL: code}) if i % 2 else nbformat.writes(fill(RELEASE, {CELL: code})).encode()
            for i, (learner, code) in enumerate(answers.items())}


def test_a_renamed_and_reformatted_copy_is_flagged_on_its_cell():
    submissions = cohort(alice=SOLUTION, bob=DISGUISED, carol=right_answers(ASSIGNMENT)[CELL][0])
    submissions["dave"] = RELEASE
    pairs = find_similar(ASSIGNMENT, submissions, RELEASE)
    assert [(p.cell, p.learner_a, p.learner_b) for p in pairs] == [(CELL, "alice", "bob")]
    assert pairs[0].score >= 0.95 and pairs[0].assignment == ASSIGNMENT
    assert min(pairs[0].tokens_a, pairs[0].tokens_b) >= 60 and pairs[0].spans_a and pairs[0].spans_b
    # Tokenised in worker processes (a large cohort's path), the result is the same.
    assert find_similar(ASSIGNMENT, submissions, RELEASE, workers=2) == pairs


@pytest.mark.parametrize("assignment", assignment_ids())
def test_independent_correct_answers_are_not_flagged(assignment):
    """The course's own correct answers, written differently (tests/right_answers/), one learner each."""
    release = read(release_path(assignment))
    variants = {"solution": solution_answers(assignment)}
    for cell, codes in right_answers(assignment).items():
        for i, code in enumerate(codes):
            variants.setdefault(f"right{i}", {})[cell] = code
    answers = answers_by_cell({learner: fill(release, cells) for learner, cells in variants.items()}, release)
    assert sum(len(by_learner) for by_learner in answers.values()) > len(answers)  # they were compared
    assert find_similar(assignment, {k: fill(release, v) for k, v in variants.items()}, release) == []


def test_the_scaffold_and_filled_in_tables_are_never_flagged():
    table = "ex_classify_linear_settings"
    released = {c.metadata.nbgrader.grade_id: c.source for c in RELEASE.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    respaced = {cell: "# my answer\n" + source.replace("    ", "  ") + "\n\n" for cell, source in released.items()}
    submissions = {f"untouched{i}": RELEASE for i in range(3)}
    submissions["respaced"] = fill(RELEASE, respaced)
    # Two learners who filled the same table in the same way agree because they are right.
    submissions |= {f"filled{i}": fill(RELEASE, {table: solution_answers(ASSIGNMENT)[table]}) for i in range(2)}
    assert find_similar(ASSIGNMENT, submissions, RELEASE) == []
    assert answers_by_cell(submissions, RELEASE) == {cell: {} for cell in released}
    assert own_code(released[CELL], released[CELL]) == ""
    assert own_code(SOLUTION, released[CELL]).startswith("    search = GridSearchCV(")


def test_the_page_shows_both_answers_escaped_with_the_shared_part_marked(tmp_path):
    extra = '\n    mask = (gs.cv_results_["mean_test_score"] < 0) & (rmse > 0)  # <script>alert("x")</script>\n'
    copied = DISGUISED.replace("    return", extra + "    return")
    own_names = extra.replace("gs.", "search.").replace("rmse", "test_rmse")
    original = SOLUTION.replace("    return", own_names + "    return")
    submissions = cohort(alice=original, bob=copied, carol=right_answers(ASSIGNMENT)[CELL][1])
    pairs = find_similar(ASSIGNMENT, submissions, RELEASE)
    answers = answers_by_cell(submissions, RELEASE)
    page = write_similarity_page(pairs, answers, tmp_path)
    text = page.read_text()
    assert page == tmp_path / "similarity.html" and len(pairs) == 1
    assert "<script" not in text and "&lt;script&gt;" in text and "&amp;" in text
    assert "3 answers from 3 learners compared" in text and "1 pair flagged" in text
    assert f"{100 * THRESHOLD:.0f} % or more" in text and "never a verdict" in text
    assert "alice" in text and "bob" in text and "carol" not in text
    left, right = text.split("<h3>")[1:]
    assert "<mark>" in left and "<mark>" in right
    assert "alpha_star" in right and "best_alpha" in left  # each learner's own code, as written
    assert "src=" not in text and "href=" not in text and "<link" not in text  # self-contained


def test_an_empty_cohort_and_unreadable_files_flag_nothing(tmp_path):
    assert find_similar(ASSIGNMENT, {}, RELEASE) == []
    assert find_similar(ASSIGNMENT, {"x": b"not a notebook", "y": b"{}", "z": b"\xff"}, RELEASE) == []
    text = write_similarity_page([], answers_by_cell({}, RELEASE), tmp_path / "flags.html").read_text()
    assert "0 answers from 0 learners compared" in text and "Nothing was flagged" in text


def test_a_matrix_product_without_spaces_reads_as_one_with_them():
    """pygments lexes ``a @b`` as a decorator; the copy of ``a @ b`` must still match."""
    spaced = "    g = centred.T @ centred + alpha * eye\n    w = solve(g, centred.T @ target)\n" * 3
    glued = spaced.replace(" @ ", "@").replace("centred", "c")
    answers = {"a": fill(RELEASE, {CELL: spaced}), "b": fill(RELEASE, {CELL: glued})}
    assert [p.score for p in find_similar(ASSIGNMENT, answers, RELEASE)] == [1.0]


def test_benchmark_runs_and_finds_its_planted_copies():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "similarity.py"), "--learners", "40",
                             "--planted", "2"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "planted copies flagged: 2 of 2" in result.stdout and "find_similar:" in result.stdout


def test_a_pasted_table_of_labels_is_not_the_learners_own_code():
    """Tables pasted from the notebook's output (the mock exam prints each paper's) are the same for
    everyone once strings count as one token; the code around them is still the learner's."""
    answer = ('labels = {\n    "Ridge: alpha": "hyperparameter",\n    "Ridge: coef_": "parameter",\n}\n'
              "labels = fix(labels)\n")
    assert own_code(answer, "labels = {}  # paste it here\n") == "labels = {\n}\nlabels = fix(labels)"
