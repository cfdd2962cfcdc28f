"""What the prose of modules 05-08 says about scikit-learn, and the numbers it reads off printed
tables, checked against the installed version. The notebook checks run the solution notebook's
own cells (by cell id, in a fresh interpreter, so their setup cannot touch this process)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from notebook_tools import run_cells

from coursekit import load_breast_cancer

# ---------------------------------------------------------------- 05: degree and random_state


def test_05_degree_is_ignored_by_the_rbf_kernel_and_changes_the_poly_one():
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    X, y = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

    def fitted(**settings):
        return make_pipeline(StandardScaler(), SVC(**settings)).fit(X_train, y_train)[-1]

    rbf_2, rbf_7 = fitted(degree=2), fitted(degree=7)
    assert np.array_equal(rbf_2.support_, rbf_7.support_) and np.array_equal(rbf_2.dual_coef_, rbf_7.dual_coef_)
    poly_2, poly_3 = fitted(kernel="poly", degree=2), fitted(kernel="poly", degree=3)
    assert not np.array_equal(poly_2.n_support_, poly_3.n_support_)
    seed_0, seed_1 = fitted(random_state=0), fitted(random_state=1)  # probability left off
    assert np.array_equal(seed_0.dual_coef_, seed_1.dual_coef_)


# ---------------------------------------------------------------- 06: alpha / (2B) and weight decay


def _toy_classification():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def test_06_lbfgs_minimises_log_loss_plus_alpha_over_2n():
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    X, y = _toy_classification()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", alpha=2.0, max_iter=500, random_state=0).fit(X, y)
    penalty = 2.0 / (2 * len(X)) * sum((w**2).sum() for w in net.coefs_)
    assert np.isclose(net.loss_, log_loss(y, net.predict_proba(X)) + penalty)


def test_06_mini_batch_solvers_weigh_alpha_against_the_batch_and_only_plain_sgd_decays_uniformly():
    from sklearn.neural_network import MLPClassifier

    X, y = _toy_classification()
    batch, rate, alpha = 10, 0.1, 2.0
    seen = []  # (rows, weights before the update) of every update

    class Recording(MLPClassifier):
        def _backprop(self, X, *args, **kwargs):
            seen.append((X.shape[0], self.coefs_[0].copy()))
            return super()._backprop(X, *args, **kwargs)

    def one_update(solver, penalty, **settings):
        net = Recording(hidden_layer_sizes=(4,), solver=solver, learning_rate_init=rate, alpha=penalty,
                        batch_size=batch, shuffle=False, random_state=0, **settings)
        return net.partial_fit(X[:batch], y[:batch], classes=[0, 1])  # one batch of B rows: one update

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Recording(hidden_layer_sizes=(4,), batch_size=batch, max_iter=2, random_state=0).fit(X, y)
        assert {rows for rows, _ in seen} == {batch}, "adam should update on mini-batches of batch_size rows"
        seen.clear()
        sgd_with, sgd_without = one_update("sgd", alpha, momentum=0.0), one_update("sgd", 0.0, momentum=0.0)
        adam_with, adam_without = one_update("adam", alpha), one_update("adam", 0.0)
    start = seen[0][1]
    assert all(np.array_equal(start, weights) for _, weights in seen), "every run should start from the same weights"
    # Plain SGD: the penalty shrinks every weight by the same factor, 1 - rate * alpha / B.
    assert np.allclose(sgd_with.coefs_[0] - sgd_without.coefs_[0], -rate * alpha / batch * start)
    assert np.allclose(sgd_with.intercepts_[0], sgd_without.intercepts_[0]), "the biases are not penalised"
    # Adam rescales the penalty's gradient weight by weight: no common factor.
    ratio = (adam_with.coefs_[0] - adam_without.coefs_[0]) / start
    assert not np.allclose(ratio, ratio.flat[0])


# ---------------------------------------------------------------- 07: the honest comparison


@pytest.fixture(scope="module")
def honest_07() -> dict:
    return run_cells(
        "07_tuning_strategies",
        ["setup-tuning-strategies", "cell-027", "cell-030-honest"],
        """{
            "cv": {k: float(v) for k, v in cv_r2.items()},
            "test": {k: float(v) for k, v in test_r2.items()},
            "scores": sorted(map(float, search.cv_results_["mean_test_score"]), reverse=True),
            "n_test": len(X_test),
            "defaults": {k: v for k, v in clone(search.estimator).get_params().items()
                         if k in ("regressor__kernelridge__alpha", "regressor__kernelridge__gamma")},
            "train_mean_r2_on_test": float(1 - ((y_test - y_train.mean()) ** 2).sum()
                                           / ((y_test - y_test.mean()) ** 2).sum()),
        }""",
    )


def test_07_both_models_drop_from_cv_to_test_the_untuned_defaults_too(honest_07):
    for model in ("defaults", "tuned"):
        assert honest_07["cv"][model] - honest_07["test"][model] > 0.1, model


def test_07_the_classic_mistake_books_the_split_as_a_gain(honest_07):
    cv, test = honest_07["cv"], honest_07["test"]
    mistake = cv["tuned"] - test["defaults"]
    assert mistake > test["tuned"] - test["defaults"] and mistake > cv["tuned"] - cv["defaults"]


def test_07_the_two_honest_comparisons_disagree(honest_07):
    cv, test = honest_07["cv"], honest_07["test"]
    assert test["tuned"] > test["defaults"], "the text says the tuned model wins on the test split"
    assert 0 < cv["defaults"] - cv["tuned"] < 0.05, "the text says the defaults are slightly ahead in CV"


def test_07_one_configuration_near_the_defaults_and_far_above_the_rest(honest_07):
    best, second = honest_07["scores"][:2]
    assert abs(best - honest_07["cv"]["defaults"]) < 0.05 and best - second > 0.05
    assert honest_07["defaults"] == {"regressor__kernelridge__alpha": 1, "regressor__kernelridge__gamma": None}
    assert honest_07["n_test"] == 111, "the prose says the test split holds 111 patients"


def test_07_predicting_the_training_average_scores_at_most_zero(honest_07):
    assert honest_07["train_mean_r2_on_test"] <= 0


# ---------------------------------------------------------------- 08: evidence times hyper-priors


def test_08_a_confident_hyper_prior_moves_what_bayesian_ridge_learns():
    numbers = run_cells(
        "08_blurred_line",
        ["setup-blurred-line", "cell-020"],
        """{"default_lambda": float(bmi_model.lambda_), "confident_lambda": float(confident.lambda_),
            "default_weight": float(bmi_model.coef_[0]), "confident_weight": float(confident.coef_[0])}""",
    )
    assert abs(numbers["confident_lambda"] - 1) < 0.2, "the text says the hyper-prior puts lambda near 1"
    assert numbers["default_lambda"] < 0.01
    assert abs(numbers["confident_weight"]) < abs(numbers["default_weight"]) / 5


def test_08_bayesian_ridge_maximises_evidence_times_the_hyper_priors():
    from sklearn.linear_model import BayesianRidge

    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.7, size=80)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    eigen = np.linalg.svd(Xc, compute_uv=False) ** 2

    def log_evidence(a, lam):
        weights = np.linalg.solve(lam * np.eye(3) + a * Xc.T @ Xc, a * Xc.T @ yc)
        error = ((yc - Xc @ weights) ** 2).sum()
        return 0.5 * (3 * np.log(lam) + len(y) * np.log(a) - a * error - lam * (weights**2).sum()
                      - np.log(lam + a * eigen).sum())

    model = BayesianRidge(lambda_1=20.0, lambda_2=5.0, alpha_1=3.0, alpha_2=1.0, tol=1e-12, max_iter=10_000).fit(X, y)

    def log_posterior(a, lam):
        return (log_evidence(a, lam) + model.lambda_1 * np.log(lam) - model.lambda_2 * lam
                + model.alpha_1 * np.log(a) - model.alpha_2 * a)

    around = [(model.alpha_ * fa, model.lambda_ * fl) for fa in (0.97, 1, 1.03) for fl in (0.97, 1, 1.03)]
    assert int(np.argmax([log_posterior(*p) for p in around])) == 4, "fit should maximise evidence x hyper-priors"
    assert int(np.argmax([log_evidence(*p) for p in around])) != 4, "the hyper-priors should matter here"
