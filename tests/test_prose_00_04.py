"""What the prose of modules 00-04 says about the numbers their cells print, and about
scikit-learn, checked against the installed version. Each check runs the solution notebook's own
cells (by id, in a fresh interpreter: notebook_tools.run_cells), so a change to the data, the
code or scikit-learn that makes a sentence false fails here."""

from __future__ import annotations

import pytest
from notebook_tools import run_cells


def test_00_a_seed_and_copy_X_leave_ridge_alone_while_alpha_and_positive_do_not():
    seen = run_cells(
        "00_orientation",
        ["setup-orientation", "cell-007", "cell-009", "cell-013"],
        """{
            "params": sorted(Ridge().get_params()),
            "copy_X": bool(np.allclose(model.coef_, same_knob_other_setting.coef_)),
            "random_state": bool(np.allclose(model.coef_, other_seed.coef_)),
            "alpha": bool(np.allclose(model.coef_, other_knob.coef_)),
            "positive": bool(np.allclose(model.coef_, other_choice.coef_)),
            "positive_min": float(other_choice.coef_.min()),
            "solver_used": model.solver_,
        }""",
    )
    # cell-008 classifies every entry of get_params(): nothing may be left out.
    assert seen["params"] == sorted(
        ["alpha", "copy_X", "fit_intercept", "max_iter", "positive", "random_state", "solver", "tol"]
    )
    assert seen["copy_X"] and seen["random_state"]  # settings: the same model
    assert not seen["alpha"] and not seen["positive"]  # a knob and a modelling choice: another model
    assert seen["positive_min"] >= 0
    assert seen["solver_used"] not in ("sag", "saga")  # "the default solver does not use it at all"


@pytest.fixture(scope="module")
def linear_01() -> dict:
    return run_cells(
        "01_linear_models",
        ["setup-linear-models", "cell-003", "cell-004-ridge-path", "cell-007"],
        """{
            "overall_falls": bool(np.all(np.diff(overall_size) <= 0)),
            "grow": [n for n, p in zip(demo.names, ridge_path.T) if np.any(np.diff(np.abs(p)) > 0)],
            "flip": [n for n, p in zip(demo.names, ridge_path.T) if np.ptp(np.sign(p)) > 0],
            "ridge_zeros": int((ridge_path == 0).sum()),
            "lasso_all_zero_at_the_end": bool(np.all(demo.coefs["lasso"][-1] == 0)),
            "rank_unit": {k: int(v) for k, v in per_unit.abs().rank(ascending=False).items()},
            "rank_sd": {k: int(v) for k, v in per_sd.abs().rank(ascending=False).items()},
            "baseline": float(root_mean_squared_error(y_test, np.full(len(y_test), y_train.mean()))),
            "std": float(y.std()),
        }""",
    )


def test_01_ridge_shrinks_the_total_not_each_coefficient(linear_01):
    # cell-004: the overall size only falls, some coefficients grow and some change sign, none is 0.
    assert linear_01["overall_falls"]
    assert linear_01["grow"] and linear_01["flip"]
    assert linear_01["ridge_zeros"] == 0
    assert linear_01["lasso_all_zero_at_the_end"]  # "with a large enough alpha all ten are 0"


def test_01_s1_ranks_higher_per_sd_and_sex_lower(linear_01):
    # cell-008: "`s1` ranks higher per SD than per unit, `sex` lower".
    assert linear_01["rank_sd"]["s1"] < linear_01["rank_unit"]["s1"]
    assert linear_01["rank_sd"]["sex"] > linear_01["rank_unit"]["sex"]


def test_01_the_baseline_in_the_test_message_is_not_the_standard_deviation(linear_01):
    # The visible test of ex_tune_lasso_alpha prints the baseline it computes; it must lie inside
    # the range (30, 90) that the same message calls plausible, and differs from the SD.
    assert 30 < linear_01["baseline"] < 90
    assert abs(linear_01["baseline"] - linear_01["std"]) > 1


def test_02_the_penalty_shrinks_the_total_and_single_odds_ratios_can_grow_or_cross_one():
    seen = run_cells(
        "02_logistic_regression",
        ["setup-logistic-regression"],
        """[
            make_pipeline(StandardScaler(), LogisticRegression(C=C)).fit(X_train, y_train)[-1].coef_[0].tolist()
            for C in (100.0, 1.0, 0.01, 0.001)
        ]""",
    )
    import numpy as np

    coefs = np.array(seen)  # rows: C = 100, 1, 0.01, 0.001 (the Cs of cell-009)
    total = np.abs(coefs).sum(axis=1)
    assert np.all(np.diff(total) < 0), "the total size of the coefficients falls as C falls"
    further = (np.abs(coefs[1:]) > np.abs(coefs[:-1])).sum()
    crossed = (np.sign(coefs[1:]) != np.sign(coefs[:-1])).sum()
    assert further > 0 and crossed > 0, "cell-008: some odds ratios move further from 1 or cross it"
    assert np.all(np.abs(np.exp(coefs[-1]) - 1) < 0.1), "only when C is tiny are they all close to 1"


def test_02_liblinear_settings_and_get_params_are_what_the_table_says():
    seen = run_cells(
        "02_logistic_regression",
        ["setup-logistic-regression", "cell-017"],
        """{
            "params": sorted(LogisticRegression().get_params()),
            "dual_gap": float(np.abs(dual.coef_ - primal.coef_).max()),
            "liblinear_intercepts": [float(primal.intercept_[0]), float(less_penalised.intercept_[0])],
            "lbfgs_intercept": float(reference.intercept_[0]),
            "lbfgs_ignores_scaling": bool(np.array_equal(lbfgs_scaled.coef_, default.coef_)),
        }""",
    )
    # cell-016 lists every argument of get_params().
    assert seen["params"] == sorted(
        ["C", "class_weight", "dual", "fit_intercept", "intercept_scaling", "l1_ratio", "max_iter", "n_jobs",
         "penalty", "random_state", "solver", "tol", "verbose", "warm_start"]
    )
    assert seen["dual_gap"] < 1e-6  # the same optimum
    one, hundred = seen["liblinear_intercepts"]
    assert abs(hundred - seen["lbfgs_intercept"]) < abs(one - seen["lbfgs_intercept"])  # towards lbfgs's model
    assert seen["lbfgs_ignores_scaling"]


def test_03_speed_settings_change_nothing_distance_settings_change_predictions_weights_only_probabilities():
    seen = run_cells(
        "03_knn",
        ["setup-knn", "cell-037"],
        """{
            name: [int((cv_predictions(**s) != reference).sum()),
                   int((~np.isclose(cv_predictions("predict_proba", **s), reference_proba)).any(axis=1).sum())]
            for name, s in {
                "brute": {"algorithm": "brute"}, "kd_tree": {"algorithm": "kd_tree", "leaf_size": 5},
                "ball_tree": {"algorithm": "ball_tree"}, "n_jobs": {"n_jobs": 2},
                "weights": {"weights": "distance"}, "p": {"p": 1}, "chebyshev": {"metric": "chebyshev"},
                "metric_params": {"metric_params": {"w": first_ten_count_triple}},
            }.items()
        }""",
    )
    for speed in ("brute", "kd_tree", "ball_tree", "n_jobs"):
        assert seen[speed] == [0, 0], speed  # "not even a probability"
    for distance in ("p", "chebyshev", "metric_params"):
        assert seen[distance][0] > 0, distance  # "does change predictions"
    assert seen["weights"][0] == 0 and seen["weights"][1] > 50  # classes kept, many probabilities moved


def test_04_the_tree_stops_growing_but_the_cap_still_binds_inside_the_folds():
    seen = run_cells(
        "04_decision_trees",
        ["setup-decision-trees", "cell-003", "cell-006-cap", "cell-007", "cell-031"],
        """{
            "same_tree": same_tree,
            "full_depth": int(demo.trees[deepest].get_depth()),
            "caps": [next_deepest, deepest],
            "fold_depths": [int(f.get_depth()) for f in uncapped["estimator"]],
            "cv": [demo.cv_accuracy[next_deepest], demo.cv_accuracy[deepest]],
            "roots": sorted({(int(t.tree_.feature[0]), float(t.tree_.threshold[0])) for t in demo.trees.values()}),
            "stored": "feature_importances_" in vars(tree),
            "recomputed": bool(np.array_equal(tree.feature_importances_, tree.tree_.compute_feature_importances())),
        }""",
    )
    assert seen["same_tree"] and seen["full_depth"] < seen["caps"][1]  # the tree stops before the cap
    assert max(seen["fold_depths"]) > seen["full_depth"]  # "some of those trees need more levels than the full one"
    assert max(seen["fold_depths"]) > seen["caps"][0]  # "so the cap still binds inside them"
    assert len(seen["roots"]) == 1  # "the root split is the same in every row"
    assert not seen["stored"] and seen["recomputed"]  # a property computed from tree_, not stored by fit
