"""Unit tests for the course package: data, instant checks, plots, demos."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn import datasets
from sklearn.model_selection import train_test_split

import coursekit.demos
from coursekit import BOOKKEEPING_ATTRIBUTES, load_breast_cancer, load_diabetes
from coursekit.checks import NotYet, check_labels, expect, score_labels
from coursekit.data import cancer_training_split, diabetes_split
from coursekit.demos import Demo, RadioKnobDemo
from coursekit.demos.base import budget_slider


def test_diabetes_is_sklearns_unscaled_table():
    X, y = load_diabetes()
    reference = datasets.load_diabetes(scaled=False, as_frame=True)
    assert list(X.columns) == list(reference.data.columns)
    np.testing.assert_allclose(X.to_numpy(), reference.data.to_numpy())
    np.testing.assert_allclose(y.to_numpy(), reference.target.to_numpy())


def test_breast_cancer_marks_malignant_as_positive():
    X, y = load_breast_cancer()
    reference = datasets.load_breast_cancer()
    assert X.shape == reference.data.shape == (569, 30)
    np.testing.assert_allclose(X.to_numpy(), reference.data)
    # scikit-learn codes malignant as 0; the course makes it the positive class.
    assert (y.to_numpy() == (reference.target == 0)).all() and y.sum() == 212


def test_missing_data_file_says_how_to_restore(monkeypatch, tmp_path):
    monkeypatch.setattr("coursekit.data.DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="git checkout -- data/"):
        load_diabetes()


def test_demo_training_split_is_the_notebooks_stratified_three_quarters():
    X, y = load_breast_cancer()
    X_train, y_train = cancer_training_split(["mean_radius", "worst_area"], random_state=3)
    assert X_train.shape == (426, 2) and y_train.shape == (426,)
    assert abs(y_train.mean() - y.mean()) < 0.005  # stratified: same malignant share
    rows = {tuple(r) for r in X[["mean_radius", "worst_area"]].to_numpy()}
    assert {tuple(r) for r in X_train} <= rows
    again, _ = cancer_training_split(["mean_radius", "worst_area"], random_state=3)
    other, _ = cancer_training_split(["mean_radius", "worst_area"], random_state=4)
    assert np.array_equal(X_train, again) and not np.array_equal(X_train, other)


def test_diabetes_split_is_train_test_split_of_the_whole_table():
    X, y = load_diabetes()
    for test_size, random_state in ((0.25, 0), (0.3, 0), (0.25, 7)):
        expected = train_test_split(X, y, test_size=test_size, random_state=random_state)
        got = diabetes_split(test_size=test_size, random_state=random_state)
        assert len(got) == 4
        for part, reference in zip(got, expected, strict=True):
            assert part.equals(reference)  # values, columns and row labels (the rows chosen)
    X_train, X_val, y_train, y_val = diabetes_split()
    assert len(X_train) == len(y_train) == 331 and len(X_val) == len(y_val) == 111


def test_diabetes_split_keeps_the_rows_when_features_are_chosen():
    X_all, *_ = diabetes_split(test_size=0.3)
    X_two, X_val, _, _ = diabetes_split(["bmi", "s5"], test_size=0.3)
    assert list(X_two.columns) == ["bmi", "s5"] and list(X_val.columns) == ["bmi", "s5"]
    assert X_two.equals(X_all[["bmi", "s5"]])


def test_budget_slider_runs_from_one_try_to_the_budget():
    slider = budget_slider("budget (tries)", 30, 1000)
    assert (slider.min, slider.max, slider.step, slider.value) == (1, 1000, 1, 30)
    assert slider.readout and slider.continuous_update and slider.layout.width == "460px"
    assert budget_slider("budget", 10, 25, width="520px").layout.width == "520px"


def test_every_demo_class_is_exported_from_coursekit_demos():
    defined = set()
    for info in pkgutil.iter_modules(coursekit.demos.__path__):
        module = importlib.import_module(f"coursekit.demos.{info.name}")
        defined |= {
            name for name, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Demo) and cls.__module__ == module.__name__
        }
    assert set(coursekit.demos.__all__) == defined
    assert all(getattr(coursekit.demos, name).__name__ == name for name in coursekit.demos.__all__)


def test_bookkeeping_names_are_fitted_attribute_names():
    assert all(name.endswith("_") and not name.startswith("_") for name in BOOKKEEPING_ATTRIBUTES)
    assert {"n_features_in_", "classes_", "n_iter_"} <= BOOKKEEPING_ATTRIBUTES
    assert not {"coef_", "intercept_", "tree_", "support_vectors_", "coefs_", "mean_"} & BOOKKEEPING_ATTRIBUTES


def test_expect_raises_the_teaching_message():
    expect(True, "unused")
    with pytest.raises(NotYet, match="alpha is set before fit"):
        expect(False, "alpha is set before fit")
    assert issubclass(NotYet, AssertionError)


def test_check_labels_names_what_is_missing_extra_or_invalid():
    items = ["a", "b"]
    check_labels({"a": "Parameter ", "b": "neither"}, items)
    with pytest.raises(NotYet, match="no label yet: b"):
        check_labels({"a": "parameter"}, items)
    with pytest.raises(NotYet, match="not items of this exercise.*: c"):
        check_labels({"a": "parameter", "b": "neither", "c": "neither"}, items)
    with pytest.raises(NotYet, match="b → None"):
        check_labels({"a": "parameter", "b": None}, items)
    with pytest.raises(NotYet, match="should be a dict"):
        check_labels(["a", "b"], items)


def test_score_labels_gives_partial_credit_as_a_plain_float(capsys):
    key = {"a": "parameter", "b": "neither", "c": {"hyperparameter", "parameter"}, "d": "neither"}
    score = score_labels({"a": "PARAMETER", "b": "parameter", "c": "parameter", "d": "neither"}, key, 4)
    assert score == 3.0 and type(score) is float  # nbgrader cannot read np.float64(...)
    printed = capsys.readouterr().out
    assert "3 of 4 right" in printed and "b" in printed and "neither" not in printed
    assert score_labels("not a dict", key, 4) == 0.0


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_radio_knob_update_runs_headless_and_moves_the_learned_line():
    demo = RadioKnobDemo()
    small = demo.update(alpha=1.0)
    slope_small = demo.fit(demo.alpha)[0]
    large = demo.update(alpha=1e5)
    slope_large = demo.fit(demo.alpha)[0]
    assert 0 < slope_large < slope_small  # the knob shrinks the learned slope
    assert not np.array_equal(_pixels(small), _pixels(large))
    assert np.array_equal(_pixels(demo.update(alpha=1.0)), _pixels(small))  # blitting is exact
    line_y = demo.line.get_ydata()
    assert np.isclose(line_y[1] - line_y[0], slope_small * (demo.xs[1] - demo.xs[0]))


def test_radio_knob_widget_shows_value_and_redraws_on_change():
    demo = RadioKnobDemo()
    box = demo.widget()
    slider = box.children[0].children[0]
    image = box.children[1]
    assert slider.readout and slider.description.startswith("alpha")
    before = image.value
    slider.value = 1000.0
    assert image.value != before and np.isclose(demo.alpha, 1000.0)


def test_demo_fits_match_a_fresh_ridge_fit():
    from sklearn.linear_model import Ridge

    X, y = load_diabetes()
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    demo = RadioKnobDemo()
    assert np.isclose(demo.fit(100.0)[0], Ridge(alpha=100.0).fit(X_train[["bmi"]], y_train).coef_[0])
    assert isinstance(pd.Series(demo.x_train[:, 0]).mean(), float)


def test_not_yet_shows_only_its_message_in_jupyter():
    lines = NotYet("pass alpha to Ridge")._render_traceback_()
    assert len(lines) == 1 and "Not yet" in lines[0] and lines[0].endswith("pass alpha to Ridge")
