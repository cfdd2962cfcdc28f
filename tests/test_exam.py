"""coursekit.exam: where the learner id comes from, that papers are personal and reproducible, and
how attempts draw the items of the bank (coursekit.exam_bank)."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.exam import (
    LASSO_ALPHAS,
    LETTERS,
    PRACTICE_ID,
    ExamPaper,
    answer_template,
    normalise_attempt,
    normalise_id,
    resolve_learner_id,
    seed_of,
    show_choices,
)
from coursekit.exam_bank import ITEMS, KINDS, SLOTS


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
    for attribute in ("mlp_layers", "linear_shape", "search_budget", "classify_items", "gray_items", "items"):
        assert getattr(first, attribute) == getattr(again, attribute)
    assert first.tuning.split.X_train.index.equals(again.tuning.split.X_train.index)
    papers = [ExamPaper(f"learner-{i}") for i in range(30)]
    for attribute in ("mlp_layers", "linear_shape"):
        assert len({repr(getattr(p, attribute)) for p in papers}) > 10, attribute
    assert len({p.tuning.cv_seed for p in papers}) > 10
    assert len({p.penalty.params["alpha"] for p in papers}) >= 4
    assert len({tuple(p.tuning.split.X_test.index[:5]) for p in papers}) > 25
    # The lasso's splits come from a vetted list of 100 (tests/test_exam_fairness.py).
    assert len({tuple(p.penalty.split.X_test.index[:5]) for p in papers}) > 20


def test_attempt_one_is_the_paper_set_before_the_bank():
    """Attempt 1 shows the first item of every slot, with the numbers papers had before attempts
    existed (the values below are those of the solution's paper then)."""
    paper = ExamPaper("solution")
    assert paper == ExamPaper("solution", 1)
    assert {item.id for item in paper.items.values()} == {slot.items[0].id for slot in SLOTS.values()}
    assert paper.mlp_layers == (8, 5, (3, 10)) and paper.linear_shape == (14, 2)
    assert paper.counting.linear == "LogisticRegression"
    assert paper.penalty.estimator == "Lasso" and paper.penalty.params == {"alpha": 8.0}
    assert paper.penalty.split.random_state == 100
    assert paper.tuning.estimator == "SVC" and paper.tuning.scoring == "balanced_accuracy"
    assert (paper.tuning.split.random_state, paper.tuning.cv_seed) == (9727, 536)
    assert paper.search_budget == {"n_C": 7, "n_gamma": 7, "inner_folds": 5, "outer_folds": 7}
    assert seed_of("solution", "mlp", 1) == seed_of("solution", "mlp") != seed_of("solution", "mlp", 2)


def test_the_bank_has_three_items_per_competency_and_section():
    for slot in SLOTS.values():
        assert len(slot.items) >= 3, slot.name
        assert len({item.id for item in slot.items}) == len(slot.items)
        for item in slot.items:
            assert item.slot == slot.name and item.kind in KINDS
            assert item.competencies == slot.items[0].competencies
    per_section = {}
    for item in ITEMS.values():
        for competency in item.competencies:
            per_section.setdefault((SLOTS[item.slot].section, competency), set()).add(item.id)
    assert all(len(items) >= 3 for items in per_section.values()), per_section
    assert {c for _, c in per_section} == {
        "classify-settings", "definitions", "regularisation", "tuning-code", "tuning-hygiene",
        "search-strategies", "gray-areas",
    }


def test_a_learners_attempts_share_few_items():
    """Any two of a learner's first three attempts share no item (every slot has at least three), and
    over the first six attempts two attempts share on average under 1.5 of the 7 slots."""
    shared = []
    for i in range(100):
        papers = [ExamPaper(f"learner-{i}", attempt) for attempt in range(1, 7)]
        ids = [[item.id for item in paper.items.values()] for paper in papers]
        for a in range(6):
            for b in range(a + 1, 6):
                common = sum(x == y for x, y in zip(ids[a], ids[b]))
                if b < 3:
                    assert common == 0, (i, a + 1, b + 1)
                shared.append(common)
    assert np.mean(shared) < 1.5, np.mean(shared)
    # Learners do not all walk the bank in the same order.
    assert len({ExamPaper(f"learner-{i}", 2).item("tune").id for i in range(30)}) > 1


def test_attempts_are_whole_numbers_from_one():
    assert normalise_attempt(2) == normalise_attempt("2") == normalise_attempt(" 2 ") == 2
    assert ExamPaper("jdoe42", "3") == ExamPaper("jdoe42", 3)
    for bad in (0, -1, "", None, "two", 1.5, True, "1e3"):
        with pytest.raises(ValueError, match="ATTEMPT should be a whole number"):
            ExamPaper("jdoe42", bad)


def test_questions_show_the_papers_numbers_and_no_label():
    for attempt in (1, 2, 3):
        paper = ExamPaper("jdoe42", attempt)
        for slot in SLOTS:
            assert paper.question(slot).strip(), slot
        assert str(paper.search_budget) in paper.question("budget")
        assert paper.tuning.param_key in paper.question("tune")
        template = paper.question("classify")
        assert all(f"{item!r}: None," in template for item in paper.classify_items)
        assert "hyperparameter'" not in template and "parameter'" not in template
    assert answer_template("x", ["a", "b"]) == "x = {\n    'a': None,\n    'b': None,\n}"


def test_paper_values_stay_in_their_stated_ranges():
    for i in range(200):
        paper = ExamPaper(f"learner-{i}", 1 + i % 3)
        n_features, n_classes, hidden = paper.mlp_layers
        assert 4 <= n_features <= 30 and n_classes in (2, 3, 4, 5) and 1 <= len(hidden) <= 2
        linear_features, linear_classes = paper.linear_shape
        assert 3 <= linear_features <= 40 and linear_classes in (2, 3, 4, 5)
        budget = paper.search_budget
        assert 4 <= budget["n_C"] <= 8 and 3 <= budget["n_gamma"] <= 7
        assert 3 <= budget["inner_folds"] <= 6 and 3 <= budget["outer_folds"] <= 10
        assert 2 <= budget.get("n_class_weight", 2) <= 3 and 2 <= budget.get("inner_repeats", 2) <= 4
        extra = set(budget) - {"n_C", "n_gamma", "inner_folds", "outer_folds"}
        assert extra in (set(), {"n_class_weight"}, {"inner_repeats"})
    assert ExamPaper("learner-0").penalty.params["alpha"] in LASSO_ALPHAS


def test_splits_are_disjoint_stratified_and_complete():
    paper = ExamPaper("jdoe42")
    split = paper.tuning.split
    assert not set(split.X_train.index) & set(split.X_test.index)
    assert len(split.X_train) + len(split.X_test) == 569
    assert abs(split.y_train.mean() - split.y_test.mean()) < 0.02
    assert split.X_train.index.equals(split.y_train.index)
    diabetes = paper.penalty.split
    assert len(diabetes.X_train) + len(diabetes.X_test) == 442
    ridge = ExamPaper("jdoe42", 3).tuning
    assert ridge.estimator == "Ridge" and len(ridge.split.X_train) + len(ridge.split.X_test) == 442


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
    assert np.isfinite(paper.penalty.params["alpha"]) and paper.tuning.split.X_train.shape[1] == 30


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
