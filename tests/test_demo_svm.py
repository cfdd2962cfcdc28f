"""Module 05 demo: C and gamma sliders, RBF boundary with ringed support vectors, CV heat map."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from coursekit import load_breast_cancer
from coursekit.demos.svm import BOUNDARY_STEPS, FEATURES, SVMDemo
from coursekit.plots import HeatMap, grid_2d, new_figure


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture(scope="module")
def demo():
    return SVMDemo()


@pytest.fixture(scope="module")
def training_split():
    X, y = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(X[list(FEATURES)], y, test_size=0.25, stratify=y, random_state=0)
    return X_train.to_numpy(), y_train.to_numpy()


def test_update_runs_headless_and_changes_the_picture(demo):
    default = demo.update(C=1.0, gamma=1.0)
    stiff = demo.update(C=100.0, gamma=1.0)
    wiggly = demo.update(C=1.0, gamma=100.0)
    assert (demo.C, demo.gamma) == (1.0, 100.0)
    assert not np.array_equal(_pixels(default), _pixels(stiff))
    assert not np.array_equal(_pixels(default), _pixels(wiggly))
    assert np.array_equal(_pixels(demo.update(C=1.0, gamma=1.0)), _pixels(default))  # blitting is exact


def test_values_between_grid_points_snap_to_the_nearest_decade(demo):
    demo.update(C=2.5, gamma=0.0004)
    assert (demo.C, demo.gamma) == (1.0, 0.001)


def test_rings_surface_and_outline_show_the_current_fit(demo):
    demo.update(C=10.0, gamma=0.1)
    i, j = demo.index(10.0, 0.1)
    rings = demo.boundary.rings.get_offsets()
    assert len(rings) == demo.support_counts[i, j]
    np.testing.assert_allclose(rings, demo.support_vectors(10.0, 0.1))
    assert np.array_equal(demo.boundary.image.get_array(), demo._surfaces[i, j])
    xs, ys = demo.heatmap.outline.get_data()
    assert (np.mean(xs[:4]), np.mean(ys[:4])) == (j, i)  # outline centred on the (gamma, C) cell
    assert f"{demo.support_counts[i, j]} support vectors" in demo.title.get_text()


def test_more_C_keeps_fewer_support_vectors_and_huge_gamma_keeps_almost_all(demo):
    gamma_1 = list(demo.gammas).index(1.0)
    counts = demo.support_counts[:, gamma_1]
    assert counts[0] > counts[-1] and np.all(np.diff(counts[2:]) <= 0)
    assert demo.support_counts[:, -1].min() > 0.95 * len(demo.y_train)


@pytest.mark.parametrize("C, gamma", [(0.01, 1.0), (1.0, 0.001), (10.0, 1.0), (1000.0, 100.0)])
def test_demo_fits_match_fresh_scikit_learn_fits(demo, training_split, C, gamma):
    X_train, y_train = training_split
    i, j = demo.index(C, gamma)
    model = make_pipeline(StandardScaler(), SVC(C=C, gamma=gamma)).fit(X_train, y_train)
    svc = model.named_steps["svc"]
    np.testing.assert_allclose(demo.support_vectors(C, gamma), svc.support_vectors_)
    assert demo.support_counts[i, j] == len(svc.support_vectors_)
    cv = cross_val_score(make_pipeline(StandardScaler(), SVC(C=C, gamma=gamma)), X_train, y_train, cv=5)
    assert np.isclose(demo.cv_accuracy[i, j], cv.mean())
    # The fast NumPy prediction behind the surface agrees with libsvm's own predict.
    grid, _ = grid_2d(demo.scaled, steps=BOUNDARY_STEPS)
    fresh = svc.predict(grid).reshape(BOUNDARY_STEPS, BOUNDARY_STEPS)
    assert np.mean(fresh == demo._surfaces[i, j]) > 0.999


def test_widget_shows_values_and_redraws_on_change():
    demo = SVMDemo()
    box = demo.widget()
    c_slider, gamma_slider = box.children[0].children
    image = box.children[1]
    assert c_slider.readout and c_slider.description.startswith("C")
    assert gamma_slider.readout and gamma_slider.description.startswith("gamma")
    before = image.value
    gamma_slider.value = 10.0
    assert image.value != before and demo.gamma == 10.0
    before = image.value
    c_slider.value = 100.0
    assert image.value != before and demo.C == 100.0


def test_heatmap_outlines_the_nearest_cell_on_a_log_scale():
    figure, (ax,) = new_figure()
    scores = np.arange(12, dtype=float).reshape(3, 4)
    heatmap = HeatMap(ax, [0.01, 0.1, 1, 10], [1, 10, 100], scores, "gamma", "C", "accuracy")
    heatmap.set_current(0.8, 12.0)
    xs, ys = heatmap.outline.get_data()
    assert (min(xs), max(xs), min(ys), max(ys)) == (1.5, 2.5, 0.5, 1.5)
    assert ax.get_xticklabels()[0].get_text() == "0.01"
    assert "log scale" in ax.get_xlabel() and ax.get_title()
