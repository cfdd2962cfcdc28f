"""Unit tests for module 07's demo: the race between grid, random and Bayesian search."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import KFold, cross_val_score, train_test_split

from coursekit import load_diabetes
from coursekit.demos.tuning_strategies import (
    LOG10_BOUNDS,
    N_INITIAL,
    STRATEGIES,
    UCB_KAPPA,
    TuningRaceDemo,
    make_kernel_ridge,
    make_surrogate,
)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture(scope="module")
def demo():
    return TuningRaceDemo()


def test_update_runs_headless_and_redraws_what_each_strategy_saw(demo):
    early = demo.update(budget=2)
    assert len(demo.clouds["grid search"].get_offsets()) == 0  # no grid below a budget of 4
    assert len(demo.clouds["random search"].get_offsets()) == 2
    late = demo.update(budget=25)
    assert len(demo.clouds["grid search"].get_offsets()) == 25  # the 5 x 5 grid
    assert len(demo.clouds["Bayesian optimisation"].get_offsets()) == 25
    assert demo.trace.marker.line.get_xdata()[0] == 25
    assert "Budget = 25" in demo.title.get_text()
    assert not np.array_equal(_pixels(early), _pixels(late))
    assert np.array_equal(_pixels(demo.update(budget=2)), _pixels(early))  # blitting is exact


def test_best_star_marks_the_best_configuration_seen(demo):
    demo.update(budget=12)
    for name in STRATEGIES:
        points, scores = demo.seen(name, 12)
        star = np.array([demo.bests[name].get_xdata()[0], demo.bests[name].get_ydata()[0]])
        assert np.allclose(star, points[np.argmax(scores)])
        assert np.isclose(demo.traces[name][11], scores.max())


def test_traces_follow_each_strategy_rules(demo):
    random_trace = demo.traces["random search"]
    bayes_trace = demo.traces["Bayesian optimisation"]
    assert np.all(np.diff(random_trace) >= 0) and np.all(np.diff(bayes_trace) >= 0)  # best so far
    assert np.isnan(demo.traces["grid search"][:3]).all() and not np.isnan(demo.traces["grid search"][3:]).any()
    random_points = demo.race["random search"]["points"][-1]
    bayes_points = demo.race["Bayesian optimisation"]["points"][-1]
    assert np.allclose(random_points[:N_INITIAL], bayes_points[:N_INITIAL])  # same random start
    lows, highs = np.array(list(LOG10_BOUNDS.values())).T
    assert ((random_points >= lows) & (random_points <= highs)).all()
    # Bayesian optimisation never evaluates the same configuration twice.
    assert len({tuple(np.round(p, 6)) for p in bayes_points}) == len(bayes_points)


def test_demo_scores_match_a_fresh_cross_validation():
    X, y = load_diabetes()
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    cv = KFold(n_splits=3, shuffle=True, random_state=0)
    demo = TuningRaceDemo()
    for log10_alpha, log10_gamma in [(-1.0, -2.0), (2.2, -3.7), demo.race["Bayesian optimisation"]["points"][-1][5]]:
        model = make_kernel_ridge(alpha=10**log10_alpha, gamma=10**log10_gamma)
        reference = cross_val_score(model, X_train, y_train, cv=cv, scoring="r2").mean()
        assert np.isclose(demo.scorer(log10_alpha, log10_gamma), reference, rtol=1e-8, atol=1e-10)


def test_map_agrees_with_the_scorer(demo):
    log10_alphas, log10_gammas, surface = demo.race["map"]
    for row, column in [(0, 0), (10, 17), (25, 3), (len(log10_gammas) - 1, len(log10_alphas) - 1)]:
        direct = demo.scorer(log10_alphas[column], log10_gammas[row])
        assert np.isclose(surface[row, column], direct, rtol=1e-6, atol=1e-8)
    # Bayesian optimisation picks lattice points after its random start, so it cannot beat the map.
    assert demo.traces["Bayesian optimisation"].max() <= surface.max() + 1e-9


def test_one_bayesian_step_matches_a_fresh_surrogate(demo):
    points = demo.race["Bayesian optimisation"]["points"][-1]
    tried = points[:10]
    scores = [demo.scorer(*p) for p in tried]
    surrogate = make_surrogate().fit(tried, scores)
    axes = [np.arange(low, high + 0.1, 0.2) for low, high in LOG10_BOUNDS.values()]
    candidates = np.array([(a, g) for a in axes[0] for g in axes[1]])
    mean, std = surrogate.predict(candidates, return_std=True)
    bound = mean + UCB_KAPPA * std
    seen = (np.abs(candidates[:, None, :] - tried[None]).max(axis=2) < 1e-9).any(axis=1)
    bound[seen] = -np.inf
    assert np.allclose(candidates[np.argmax(bound)], points[10])


def test_surrogate_fits_quietly_even_on_flat_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_surrogate().fit(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]]), [0.1, 0.1, 0.1])


def test_widget_shows_the_budget_and_redraws_on_change():
    demo = TuningRaceDemo()
    box = demo.widget()
    slider = box.children[0].children[0]
    image = box.children[1]
    assert slider.readout and slider.description.startswith("budget") and slider.max == 25
    before = image.value
    slider.value = 16
    assert image.value != before and demo.budget == 16
