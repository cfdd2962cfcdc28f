"""coursekit.exam: where the learner id comes from, and that papers are personal and reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.exam import (
    LASSO_ALPHAS,
    LETTERS,
    PRACTICE_ID,
    ExamPaper,
    normalise_id,
    resolve_learner_id,
    seed_of,
    show_choices,
)


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
    for attribute in ("mlp_layers", "logistic_shape", "cv_seed"):
        assert len({repr(getattr(p, attribute)) for p in papers}) > 10, attribute
    assert len({p.lasso_alpha for p in papers}) >= 4
    assert len({tuple(p.cancer.X_test.index[:5]) for p in papers}) > 25
    # The lasso's splits come from a vetted list of 100 (tests/test_exam_fairness.py).
    assert len({tuple(p.diabetes.X_test.index[:5]) for p in papers}) > 20


def test_paper_values_stay_in_their_stated_ranges():
    for i in range(200):
        paper = ExamPaper(f"learner-{i}")
        n_features, n_classes, hidden = paper.mlp_layers
        assert 4 <= n_features <= 30 and n_classes in (3, 4, 5) and 1 <= len(hidden) <= 2
        lr_features, lr_classes = paper.logistic_shape
        assert 3 <= lr_features <= 40 and lr_classes == 2
        assert paper.lasso_alpha in LASSO_ALPHAS
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


def test_options_are_lettered_alike_on_every_paper():
    # A letter must name the same option whichever paper grades it (issue 19: letters typed on the
    # practice paper were graded in another paper's order).
    options = ["first option", "second option", "third option", "fourth option"]
    shown = show_choices({"imbalance": ("Which?", options)})
    for position, text in enumerate(options):
        assert f"**{LETTERS[position]}.** {text}" in shown
    assert not hasattr(ExamPaper, "option_order") and not hasattr(ExamPaper, "show_choices")


@pytest.mark.parametrize("learner", ["solution", "untouched", "wrong-ex_exam_count_learned"])
def test_grading_learners_get_valid_papers(learner):
    paper = ExamPaper(learner)
    assert np.isfinite(paper.lasso_alpha) and paper.cancer.X_train.shape[1] == 30


def test_the_gray_claims_of_the_exam_hold():
    """09 says (Exercise 1 and the recap): optimiser-route settings reach the same model, while more
    restarts of a Gaussian process's optimiser can end at a different kernel."""
    import warnings

    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel
    from sklearn.linear_model import Lasso, LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from coursekit.data import load_breast_cancer, load_diabetes

    X, y = load_diabetes()
    Z = StandardScaler().fit_transform(X)
    cyclic = Lasso(alpha=5.0).fit(Z, y).coef_
    shuffled = Lasso(alpha=5.0, selection="random", random_state=0).fit(Z, y).coef_
    assert np.array_equal(cyclic != 0, shuffled != 0) and np.allclose(cyclic, shuffled, atol=0.05)
    Xc, yc = load_breast_cancer()
    Zc = StandardScaler().fit_transform(Xc)
    assert np.allclose(SVC().fit(Zc, yc).dual_coef_, SVC(shrinking=False).fit(Zc, yc).dual_coef_)
    assert np.allclose(LogisticRegression().fit(Zc, yc).coef_, LogisticRegression(warm_start=True).fit(Zc, yc).coef_)

    rng = np.random.default_rng(0)
    X_gp = rng.uniform(0, 5, size=(20, 1))
    y_gp = np.sin(3 * X_gp[:, 0]) + 0.3 * rng.normal(size=20)
    kernel = 1.0 * RBF(length_scale=100.0) + WhiteKernel(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        once, restarted = (
            GaussianProcessRegressor(kernel, n_restarts_optimizer=n, random_state=0).fit(X_gp, y_gp) for n in (0, 10)
        )
    assert restarted.log_marginal_likelihood_value_ > once.log_marginal_likelihood_value_ + 1
    assert not np.isclose(restarted.kernel_.k1.k2.length_scale, once.kernel_.k1.k2.length_scale, rtol=0.5)
