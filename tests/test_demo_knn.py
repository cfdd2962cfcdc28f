"""Module 03 demo: the k slider redraws headlessly, and what it shows is what scikit-learn computes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from coursekit import load_breast_cancer
from coursekit.demos.knn import FEATURES, NearestNeighboursDemo


@pytest.fixture(scope="module")
def demo():
    return NearestNeighboursDemo()


@pytest.fixture(scope="module")
def training_split():
    X, y = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(X[list(FEATURES)], y, test_size=0.25, stratify=y, random_state=8)
    return X_train, y_train


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_update_redraws_the_boundary_and_the_markers(demo):
    one = demo.update(k=1)
    assert demo.k == 1
    assert np.array_equal(demo.boundary.image.get_array(), demo.surfaces[0])
    assert demo.train_dot.get_xdata()[0] == 1 and demo.train_dot.get_ydata()[0] == 1.0  # k = 1 memorises
    assert "k = 1:" in demo.readout.get_text()
    many = demo.update(k=51)
    assert demo.k == 51 and np.array_equal(demo.boundary.image.get_array(), demo.surfaces[25])
    assert np.allclose(demo.curve.marker.line.get_xdata(), [51, 51])
    assert demo.validation_dot.get_ydata()[0] == demo.validation_accuracy[25]
    assert not np.array_equal(_pixels(one), _pixels(many))
    # Only the left panel's shading and the right panel's markers change; blitting is exact.
    assert np.array_equal(_pixels(demo.update(k=1)), _pixels(one))


def test_k_snaps_to_the_odd_values_of_the_slider(demo):
    demo.update(k=4)
    assert demo.k in (3, 5)
    demo.update(k=10_000)
    assert demo.k == demo.ks[-1]
    demo.update(k=0)
    assert demo.k == 1


def test_boundary_changes_with_k_and_small_k_has_more_fragments(demo):
    def changes_along_rows(surface):
        return int(np.abs(np.diff(surface.astype(int), axis=1)).sum())

    assert changes_along_rows(demo.surfaces[0]) > changes_along_rows(demo.surfaces[-1])
    assert not np.array_equal(demo.surfaces[0], demo.surfaces[12])


@pytest.mark.parametrize("k", [1, 5, 25, 99, 199])
def test_curves_match_a_fresh_cross_validation(demo, training_split, k):
    X_train, y_train = training_split
    result = cross_validate(
        make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=k)),
        X_train, y_train, cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0), return_train_score=True,
    )
    i = demo.index_of(k)
    assert demo.ks[i] == k
    assert np.isclose(demo.train_accuracy[i], result["train_score"].mean())
    assert np.isclose(demo.validation_accuracy[i], result["test_score"].mean())


@pytest.mark.parametrize("k", [1, 5, 25, 199])
def test_boundary_matches_a_fresh_pipeline_fit(demo, training_split, k):
    X_train, y_train = training_split
    model = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=k)).fit(X_train.to_numpy(), y_train)
    expected = model.predict(demo.grid).reshape(demo.surfaces[0].shape)
    assert np.array_equal(demo.surfaces[demo.index_of(k)], expected)


def test_widget_shows_k_and_redraws_on_change():
    demo = NearestNeighboursDemo(grid_steps=40)
    box = demo.widget()
    slider = box.children[0].children[0]
    image = box.children[1]
    assert slider.readout and slider.description.startswith("k")
    assert slider.value == 5 and slider.step == 2
    before = image.value
    slider.value = 31
    assert image.value != before and demo.k == 31
