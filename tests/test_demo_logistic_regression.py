"""Unit tests for module 02's demo: the C slider of logistic regression (headless)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from coursekit import load_breast_cancer
from coursekit.demos.logistic_regression import FEATURES, LogisticBoundaryDemo, format_C


@pytest.fixture(scope="module")
def demo():
    return LogisticBoundaryDemo()


@pytest.fixture(scope="module")
def training_split():
    X, y = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    return X_train[list(FEATURES)].to_numpy(), y_train.to_numpy()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_update_runs_headless_and_changes_the_picture(demo):
    strong, middle, weak = (_pixels(demo.update(C=C)) for C in (0.001, 0.1, 100.0))
    assert not np.array_equal(strong, middle) and not np.array_equal(middle, weak)
    assert np.array_equal(_pixels(demo.update(C=0.1)), middle)  # blitting redraws exactly


def test_update_moves_the_artists_to_the_current_fit(demo):
    demo.update(C=0.01)
    i = demo.index(0.01)
    assert np.isclose(demo.C, 0.01)
    np.testing.assert_array_equal(demo.boundary.image.get_array(), demo.surfaces[i])
    np.testing.assert_allclose(demo.dots.get_ydata(), demo.coefs[i])
    assert np.allclose(demo.path.marker.line.get_xdata(), 0.01)
    assert "C = 0.01:" in demo.left_title.get_text()
    boundary_before = np.array(demo.lines[1].get_ydata(), dtype=float)
    demo.update(C=10.0)
    assert not np.allclose(demo.lines[1].get_ydata(), boundary_before)
    assert "C = 10:" in demo.left_title.get_text()


def test_precomputed_fits_match_a_fresh_scikit_learn_fit(demo, training_split):
    X_train, y_train = training_split
    for C in (0.001, 0.1, 1.0, 1000.0):
        i = demo.index(C)
        fresh = make_pipeline(StandardScaler(), LogisticRegression(C=C)).fit(X_train, y_train)
        np.testing.assert_allclose(demo.coefs[i], fresh[-1].coef_[0], rtol=1e-6)
        assert np.isclose(demo.intercepts[i], fresh[-1].intercept_[0], rtol=1e-6)
        probability = fresh.predict_proba(demo.points)[:, 1].reshape(demo.surfaces[i].shape)
        np.testing.assert_allclose(demo.surfaces[i], probability, rtol=1e-6)
        recall = (fresh.predict(X_train)[y_train == 1] == 1).mean()
        assert np.isclose(demo.recalls[i], recall)


def test_drawn_lines_are_where_the_fresh_model_says_the_probability_is(demo, training_split):
    X_train, y_train = training_split
    fresh = make_pipeline(StandardScaler(), LogisticRegression(C=1.0)).fit(X_train, y_train)
    demo.update(C=1.0)
    for line, level in zip(demo.lines, (0.1, 0.5, 0.9)):
        ends = np.column_stack([line.get_xdata(), line.get_ydata()])
        np.testing.assert_allclose(fresh.predict_proba(ends)[:, 1], level, rtol=1e-6)


def test_a_smaller_C_shrinks_the_learned_coefficients(demo):
    sizes = np.linalg.norm(demo.coefs, axis=1)
    assert np.all(np.diff(sizes) > 0)  # Cs ascend, so the coefficients grow with C
    # The intercept is not penalised: with the strongest penalty every aspirate looks benign.
    assert demo.recalls[0] < 0.05 < 0.7 < demo.recalls[-1]


def test_widget_shows_the_value_and_redraws_on_change(demo):
    box = demo.widget()
    slider, image = box.children[0].children[0], box.children[1]
    assert slider.readout and slider.description.startswith("C")
    before = image.value
    slider.value = 0.01
    assert image.value != before and np.isclose(demo.C, 0.01)


def test_C_is_printed_without_scientific_notation():
    assert [format_C(C) for C in (0.001, 0.0316227766, 1.0, 177.827941, 1000.0)] == [
        "0.001", "0.0316", "1", "178", "1000"
    ]
