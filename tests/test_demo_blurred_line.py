"""Unit tests for module 08's demos: headless updates change the figure and its artists, and
what the demos show matches fresh scikit-learn fits."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from coursekit import load_diabetes
from coursekit.demos.blurred_line import HypergradientDemo, WeightSearchDemo


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _split(features):
    X, y = load_diabetes()
    X_train, X_val, y_train, y_val = train_test_split(X[list(features)], y, test_size=0.3, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_val), y_train.to_numpy(), y_val.to_numpy()


@pytest.fixture(scope="module")
def search():
    return WeightSearchDemo()


@pytest.fixture(scope="module")
def hyper():
    return HypergradientDemo()


def test_weight_search_update_changes_the_figure_and_shows_the_best_try(search):
    few = search.update(budget=5)
    assert len(search.cloud.get_offsets()) == 5
    many = search.update(budget=800)
    assert len(search.cloud.get_offsets()) == 800
    assert not np.array_equal(_pixels(few), _pixels(many))
    assert np.array_equal(_pixels(search.update(budget=5)), _pixels(few))  # blitting is exact
    for budget in (1, 5, 60, 800):
        search.update(budget=budget)
        tried = search.tries[:budget]
        losses = search.train_mse(tried)
        best = tried[np.argmin(losses)]
        np.testing.assert_allclose(search.best.get_xdata(), [best[0]])
        np.testing.assert_allclose(search.best.get_ydata(), [best[1]])
        assert search.search_trace.marker.line.get_xdata()[0] == budget
        np.testing.assert_allclose(search.dots.get_offsets()[1], [budget, search.val_mse(best[None])[0]])
    assert search.best_train[-1] <= search.best_train[0]  # best-so-far never gets worse
    assert np.all(np.diff(search.best_train) <= 0)


def test_weight_search_tries_stay_in_the_box_and_are_seeded(search):
    assert np.all(np.abs(search.tries) <= search.scale)
    np.testing.assert_array_equal(WeightSearchDemo(max_budget=50).tries, search.tries[:50])


def test_weight_search_losses_and_least_squares_match_scikit_learn(search):
    X_train, X_val, y_train, y_val = _split(WeightSearchDemo.FEATURES)
    reference = LinearRegression().fit(X_train, y_train)
    np.testing.assert_allclose(search.least_squares, reference.coef_, rtol=1e-8)
    assert np.isclose(reference.intercept_, search.y_mean)
    assert np.isclose(search.ls_val, np.mean((reference.predict(X_val) - y_val) ** 2))
    w = search.tries[17]
    assert np.isclose(search.train_mse(w[None])[0], np.mean((X_train @ w + y_train.mean() - y_train) ** 2))
    # With the whole budget the search gets close to, but not below, the least-squares training error.
    assert search.ls_train <= search.best_train[-1] < 1.05 * search.ls_train


def test_hypergradient_update_moves_the_tangent(hyper):
    low = hyper.update(alpha=3.0)
    tangent_low = np.array(hyper.tangent.get_ydata())
    high = hyper.update(alpha=1000.0)
    tangent_high = np.array(hyper.tangent.get_ydata())
    assert not np.array_equal(_pixels(low), _pixels(high))
    assert np.array_equal(_pixels(hyper.update(alpha=3.0)), _pixels(low))
    assert tangent_low[1] < tangent_low[0]  # falling at small alpha (on this split)
    assert tangent_high[1] > tangent_high[0]  # rising at large alpha
    assert np.isclose(hyper.alpha, 3.0, rtol=0.06)  # snapped to the slider's grid
    assert np.isclose(hyper.curve.marker.line.get_xdata()[0], hyper.alpha)


def test_hypergradient_curves_and_slopes_match_scikit_learn(hyper):
    X_train, X_val, y_train, y_val = _split(HypergradientDemo.FEATURES)

    def val_mse(alpha):
        return np.mean((Ridge(alpha=alpha).fit(X_train, y_train).predict(X_val) - y_val) ** 2)

    for alpha in (1.0, 31.6, 112.2, 1000.0):
        np.testing.assert_allclose(hyper.coefficients(alpha), Ridge(alpha=alpha).fit(X_train, y_train).coef_,
                                   rtol=1e-8)
        assert np.isclose(hyper.mse(alpha, hyper.X_val, hyper.y_val)[0], val_mse(alpha), rtol=1e-10)
        h = 1e-4
        numeric = (val_mse(alpha * np.exp(h)) - val_mse(alpha * np.exp(-h))) / (2 * h)
        assert np.isclose(hyper.slope(alpha)[0], numeric, rtol=1e-4, atol=1e-6)
    hyper.update(alpha=100.0)
    value, slope = hyper.position_val[hyper.alpha], hyper.position_slope[hyper.alpha]
    assert np.isclose(value, val_mse(hyper.alpha))
    xs, ys = hyper.tangent.get_data()
    # The tangent is a straight line in ln(alpha) through (alpha, validation MSE) with the shown slope.
    np.testing.assert_allclose(np.diff(ys) / np.diff(np.log(xs)), [slope])
    assert np.isclose(np.interp(np.log(hyper.alpha), np.log(xs), ys), value)
    assert np.isclose(hyper.slope_point.get_ydata()[0], slope)


def test_hypergradient_minimum_is_where_the_slope_changes_sign(hyper):
    best = hyper.best_alpha
    assert hyper.slope(best / 1.5)[0] < 0 < hyper.slope(best * 1.5)[0]
    grid = np.logspace(-1, 4, 2001)
    fine = grid[np.argmin(hyper.mse(grid, hyper.X_val, hyper.y_val))]
    assert np.isclose(best, fine, rtol=0.03)


@pytest.mark.parametrize("cls, name, value", [(WeightSearchDemo, "budget", 300), (HypergradientDemo, "alpha", 500.0)])
def test_widgets_show_their_value_and_redraw_on_change(cls, name, value):
    demo = cls()
    box = demo.widget()
    control = box.children[0].children[0]
    image = box.children[1]
    assert control.readout and control.description
    before = image.value
    control.value = value
    assert image.value != before
    assert np.isclose(getattr(demo, name), value, rtol=0.06)
