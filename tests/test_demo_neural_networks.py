"""Module 06 demo (MLPTrainingDemo): headless updates redraw, and what it shows matches scikit-learn."""

from __future__ import annotations

import io
import statistics
import time
import warnings

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from coursekit import load_breast_cancer
from coursekit.demos.neural_networks import EPOCHS, HIDDEN_UNITS, LEARNING_RATES, MLPTrainingDemo


@pytest.fixture(scope="module")
def demo():
    return MLPTrainingDemo()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _fresh_fit(units: int, rate: float):
    """The network the demo claims to show, written out independently of the demo's code."""
    X, y = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(
        X[["mean_radius", "mean_texture"]], y, test_size=0.25, stratify=y, random_state=0
    )
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(units,), learning_rate_init=rate, batch_size=len(X_train),
            max_iter=80, n_iter_no_change=80, random_state=0,
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train.to_numpy(), y_train.to_numpy())
    return model, X_train.to_numpy(), y_train.to_numpy()


def test_sliders_change_pixels_curve_and_surface(demo):
    slow = demo.update(hidden_units=1, learning_rate_init=0.001)
    slow_curve = demo.curve.get_ydata().copy()
    slow_surface = np.asarray(demo.boundary.image.get_array()).copy()
    fast = demo.update(hidden_units=32, learning_rate_init=0.1)
    assert not np.array_equal(_pixels(slow), _pixels(fast))
    assert not np.allclose(demo.curve.get_ydata(), slow_curve)
    assert not np.array_equal(np.asarray(demo.boundary.image.get_array()), slow_surface)
    # A tiny learning rate leaves the loss high after the same epochs; a good one brings it down.
    assert demo.curve.get_ydata()[-1] < slow_curve[-1]
    assert np.allclose(demo.curve.get_ydata(), demo.curves[(32, 0.1)])
    # The grey curves are the other learning rates at the same width.
    grey = sorted(float(line.get_ydata()[-1]) for line in demo.others)
    expected = sorted(float(demo.curves[(32, r)][-1]) for r in LEARNING_RATES if r != 0.1)
    assert np.allclose(grey, expected)
    assert demo.right_title.get_text().startswith("129 weights and biases learned")


def test_blitting_is_exact(demo):
    first = demo.update(hidden_units=4, learning_rate_init=0.01)
    demo.update(hidden_units=16, learning_rate_init=1.0)
    assert np.array_equal(_pixels(demo.update(hidden_units=4, learning_rate_init=0.01)), _pixels(first))


def test_values_snap_to_the_slider_grid(demo):
    demo.update(hidden_units=7, learning_rate_init=0.012)
    assert (demo.hidden_units, demo.learning_rate_init) == (8, 0.01)
    demo.update(hidden_units=1000, learning_rate_init=50.0)
    assert (demo.hidden_units, demo.learning_rate_init) == (32, 1.0)


@pytest.mark.parametrize(("units", "rate"), [(1, 0.01), (8, 0.001), (32, 1.0)])
def test_shown_numbers_match_a_fresh_scikit_learn_fit(demo, units, rate):
    model, X_train, y_train = _fresh_fit(units, rate)
    net = model[-1]
    demo.update(hidden_units=units, learning_rate_init=rate)
    np.testing.assert_allclose(demo.curve.get_ydata(), net.loss_curve_, rtol=1e-10)
    assert len(net.loss_curve_) == EPOCHS
    np.testing.assert_array_equal(
        np.asarray(demo.boundary.image.get_array()),
        model.predict(demo.points).reshape(demo.surfaces[demo.key(units, rate)].shape),
    )
    learned = sum(w.size for w in net.coefs_) + sum(b.size for b in net.intercepts_)
    accuracy = model.score(X_train, y_train)
    assert f"{learned} weights and biases learned" in demo.right_title.get_text()
    assert f"training accuracy {accuracy:.2f}" in demo.right_title.get_text()
    assert f"final training loss {net.loss_curve_[-1]:.2f}" in demo.left_title.get_text()


def test_final_losses_table_covers_the_grid(demo):
    table = demo.final_losses()
    assert table.shape == (len(HIDDEN_UNITS), len(LEARNING_RATES))
    assert np.isclose(table.loc[8, "0.01"], demo.curves[(8, 0.01)][-1])


def test_widget_shows_values_and_redraws_on_change(demo):
    demo.update(hidden_units=8, learning_rate_init=0.01)  # the controls start at the current values
    box = demo.widget()
    units, rate = box.children[0].children
    image = box.children[1]
    assert units.readout and rate.readout
    assert units.description == "hidden units" and rate.description == "learning_rate_init"
    assert rate.label == "0.01"  # the readout shows the value itself
    before = image.value
    units.value = 2
    assert image.value != before and demo.hidden_units == 2
    before = image.value
    rate.value = LEARNING_RATES[0]
    assert image.value != before and demo.learning_rate_init == LEARNING_RATES[0]


def test_an_update_takes_well_under_100_ms_of_cpu(demo):
    times = []
    for units in HIDDEN_UNITS:
        for rate in LEARNING_RATES[::2]:
            start = time.process_time()
            demo.update(hidden_units=units, learning_rate_init=rate)
            times.append(time.process_time() - start)
    assert statistics.median(times) < 0.1
