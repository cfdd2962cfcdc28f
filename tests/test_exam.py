"""coursekit.exam: where the learner id comes from, and that papers are personal and reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.exam import LETTERS, PRACTICE_ID, ExamPaper, normalise_id, resolve_learner_id, seed_of


def test_autograder_folder_wins_over_everything(tmp_path):
    cwd = tmp_path / "autograded" / "jdoe42" / "09_mock_exam"
    cwd.mkdir(parents=True)
    learner, source = resolve_learner_id("someone-else", cwd=cwd, environ={"JUPYTERHUB_USER": "hub-user"})
    assert learner == "jdoe42" and "autograder" in source


def test_jupyterhub_user_wins_over_the_typed_id(tmp_path):
    learner, source = resolve_learner_id("typed", cwd=tmp_path, environ={"JUPYTERHUB_USER": " Hub-User "})
    assert learner == "hub-user" and "JupyterHub" in source


def test_typed_id_outside_autograde_and_hub(tmp_path):
    # The solution folder and a learner's own folder are not autograde folders.
    for cwd in (tmp_path / "solutions" / "09_mock_exam", tmp_path / "my-work" / "09_mock_exam", tmp_path):
        assert resolve_learner_id("  JDoe42 ", cwd=cwd, environ={}) == ("jdoe42", "LEARNER_ID, as you typed it")


def test_no_id_gives_the_practice_paper(tmp_path):
    for typed in ("", "   ", None):
        learner, source = resolve_learner_id(typed, cwd=tmp_path, environ={"JUPYTERHUB_USER": ""})
        assert learner == PRACTICE_ID and "practice" in source


def test_for_learner_reads_the_working_directory(tmp_path, monkeypatch):
    cwd = tmp_path / "autograded" / "wrong-ex_x" / "09_mock_exam"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert ExamPaper.for_learner("solution").learner_id == "wrong-ex_x"


def test_seeds_are_stable_case_blind_and_item_specific():
    assert normalise_id(" Alice ") == "alice"
    assert seed_of("Alice", "mlp") == seed_of("alice ", "mlp")
    assert seed_of("alice", "mlp") != seed_of("alice", "lasso_alpha")
    assert seed_of("alice", "mlp") != seed_of("bob", "mlp")
    # A fixed value: the paper must not change between machines or Python runs (no hash()).
    assert seed_of("solution", "mlp") == 2501168233


def test_papers_are_reproducible_and_differ_between_learners():
    first, again = ExamPaper("jdoe42"), ExamPaper("JDoe42")
    assert first == again
    for attribute in ("mlp_layers", "logistic_shape", "lasso_alpha", "cv_seed", "search_budget"):
        assert getattr(first, attribute) == getattr(again, attribute)
    pd_split, pd_again = first.cancer, again.cancer
    assert pd_split.X_train.index.equals(pd_again.X_train.index)
    papers = [ExamPaper(f"learner-{i}") for i in range(30)]
    for attribute in ("mlp_layers", "logistic_shape", "lasso_alpha", "cv_seed"):
        assert len({repr(getattr(p, attribute)) for p in papers}) > 10, attribute
    assert len({tuple(p.cancer.X_test.index[:5]) for p in papers}) > 25
    assert len({tuple(p.diabetes.X_test.index[:5]) for p in papers}) > 25


def test_paper_values_stay_in_their_stated_ranges():
    for i in range(200):
        paper = ExamPaper(f"learner-{i}")
        n_features, n_classes, hidden = paper.mlp_layers
        assert 4 <= n_features <= 30 and n_classes in (2, 3, 4, 5) and 1 <= len(hidden) <= 2
        assert 0.3 <= paper.lasso_alpha <= 12.6
        budget = paper.search_budget
        assert 4 <= budget["n_C"] <= 8 and 3 <= budget["n_gamma"] <= 7
        assert 3 <= budget["inner_folds"] <= 6 and 3 <= budget["outer_folds"] <= 10


def test_splits_are_disjoint_stratified_and_complete():
    paper = ExamPaper("jdoe42")
    split = paper.cancer
    assert not set(split.X_train.index) & set(split.X_test.index)
    assert len(split.X_train) + len(split.X_test) == 569
    assert abs(split.y_train.mean() - split.y_test.mean()) < 0.02
    assert split.X_train.index.equals(split.y_train.index)
    diabetes = paper.diabetes
    assert len(diabetes.X_train) + len(diabetes.X_test) == 442


def test_options_are_a_personal_permutation_and_letters_match_the_display():
    paper = ExamPaper("jdoe42")
    order = paper.option_order("imbalance", 4)
    assert sorted(order) == [0, 1, 2, 3]
    assert len({tuple(ExamPaper(f"l{i}").option_order("imbalance", 4)) for i in range(40)}) > 8
    options = ["first option", "second option", "third option", "fourth option"]
    shown = paper.show_choices({"imbalance": ("Which?", options)})
    for index, text in enumerate(options):
        letter = paper.letter_of("imbalance", 4, index)
        assert letter in LETTERS[:4]
        assert f"**{letter}.** {text}" in shown


@pytest.mark.parametrize("learner", ["solution", "untouched", "wrong-ex_exam_count_learned"])
def test_grading_learners_get_valid_papers(learner):
    paper = ExamPaper(learner)
    assert np.isfinite(paper.lasso_alpha) and paper.cancer.X_train.shape[1] == 30
