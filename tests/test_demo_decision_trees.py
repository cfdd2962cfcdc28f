"""Unit tests for the module 04 demo: the max_depth slider over a tree on two breast-cancer features."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.tree import DecisionTreeClassifier

from coursekit import load_breast_cancer
from coursekit.demos.decision_trees import DEPTHS, FEATURES, TreeDepthDemo, tree_layout


@pytest.fixture(scope="module")
def demo():
    return TreeDepthDemo()


@pytest.fixture(scope="module")
def training_split():
    X, y = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(X[list(FEATURES)], y, test_size=0.25, random_state=0, stratify=y)
    return X_train.to_numpy(), y_train.to_numpy()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_update_runs_headless_and_changes_the_picture(demo):
    shallow = demo.update(max_depth=1)
    deep = demo.update(max_depth=5)
    assert not np.array_equal(_pixels(shallow), _pixels(deep))
    assert np.array_equal(_pixels(demo.update(max_depth=1)), _pixels(shallow))  # same depth, same frame


def test_cached_frames_equal_a_fresh_blitted_render(demo):
    """The stored frame of a depth is what drawing that depth from scratch produces."""
    fresh = TreeDepthDemo()
    fresh._frames.clear()
    fresh.invalidate()
    for depth in (3, 7):
        assert np.array_equal(_pixels(fresh.update(max_depth=depth)), _pixels(demo.update(max_depth=depth)))


def test_update_moves_the_tree_diagram_and_boundary_artists(demo):
    demo.update(max_depth=2)
    nodes_2 = demo.nodes.get_offsets().copy()
    surface_2 = np.asarray(demo.boundary.image.get_array()).copy()
    edges_2 = len(demo.edges.get_segments())
    demo.update(max_depth=4)
    tree_4 = demo.trees[4]
    assert len(demo.nodes.get_offsets()) == tree_4.tree_.node_count != len(nodes_2)
    assert len(demo.edges.get_segments()) == 2 * (tree_4.tree_.node_count - tree_4.get_n_leaves()) != edges_2
    assert not np.array_equal(np.asarray(demo.boundary.image.get_array()), surface_2)
    assert np.isclose(demo.curve.marker.line.get_xdata()[0], 4)
    assert "max_depth = 4" in demo.tree_title.get_text()
    labels = [t.get_text() for t in demo.split_labels if t.get_text()]
    root_feature = FEATURES[tree_4.tree_.feature[0]]
    assert any(text.endswith(f"≤ {tree_4.tree_.threshold[0]:.3g}") for text in labels), root_feature


def test_each_depth_matches_a_fresh_scikit_learn_fit(demo, training_split):
    X_train, y_train = training_split
    np.testing.assert_array_equal(demo.X_train, X_train)
    for depth in DEPTHS:
        reference = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_train, y_train)
        learned = demo.trees[depth].tree_
        np.testing.assert_array_equal(learned.feature, reference.tree_.feature)
        np.testing.assert_allclose(learned.threshold, reference.tree_.threshold)
        surface = reference.predict(demo.grid).reshape(demo.surfaces[depth].shape)
        np.testing.assert_array_equal(demo.surfaces[depth], surface)
        cv = cross_val_score(DecisionTreeClassifier(max_depth=depth, random_state=0), X_train, y_train, cv=5)
        assert np.isclose(demo.cv_accuracy[depth], cv.mean())
        assert np.isclose(demo.train_accuracy[depth], reference.score(X_train, y_train))
        splits, leaves, reached = demo.learned_counts(depth)
        assert (leaves, reached) == (reference.get_n_leaves(), reference.get_depth())
        assert splits == leaves - 1 and reached <= depth


def test_tree_layout_places_children_below_parents_and_leaves_in_order(demo):
    tree = demo.trees[6]
    layout = tree_layout(tree)
    t = tree.tree_
    for node in range(t.node_count):
        if t.children_left[node] != -1:
            left, right = t.children_left[node], t.children_right[node]
            assert layout["y"][left] == layout["y"][right] == layout["y"][node] - 1
            assert layout["x"][left] < layout["x"][node] < layout["x"][right]
    leaves_x = layout["x"][layout["is_leaf"]]
    assert np.isclose(leaves_x.min(), 0) and np.isclose(leaves_x.max(), 1)
    assert len(layout["edges"]) == 2 * (t.node_count - tree.get_n_leaves())


def test_widget_shows_the_value_and_redraws_on_change():
    demo = TreeDepthDemo()
    box = demo.widget()
    slider = box.children[0].children[0]
    image = box.children[1]
    assert slider.readout and slider.description.startswith("max_depth")
    assert (slider.min, slider.max) == (min(DEPTHS), max(DEPTHS))
    before = image.value
    slider.value = 6
    assert image.value != before and demo.max_depth == 6
