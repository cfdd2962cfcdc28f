"""Module 01 demo (ShrinkageDemo): headless updates redraw, and what it shows matches scikit-learn."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sklearn.linear_model import Lasso, Ridge
from sklearn.model_selection import KFold, cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from coursekit import load_diabetes
from coursekit.demos.linear_models import ShrinkageDemo

ESTIMATORS = {"ridge": Ridge, "lasso": Lasso}


@pytest.fixture(scope="module")
def demo():
    return ShrinkageDemo()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _fresh(penalty: str, alpha: float, **extra):
    X, y = load_diabetes()
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    model = make_pipeline(StandardScaler(), ESTIMATORS[penalty](alpha=alpha, **extra))
    return model, X_train, y_train


def test_slider_moves_change_pixels_bars_and_zero_marks(demo):
    weak = demo.update(alpha=0.01, penalty="lasso")
    weak_widths = [bar.get_width() for bar in demo.bars]
    assert len(demo.zero_marks.get_xdata()) == 0  # almost least squares: nothing is zeroed
    strong = demo.update(alpha=10.0, penalty="lasso")
    strong_widths = [bar.get_width() for bar in demo.bars]
    assert not np.array_equal(_pixels(weak), _pixels(strong))
    assert np.allclose(strong_widths, demo.coefficients(10.0, "lasso"))
    assert sum(abs(w) for w in strong_widths) < sum(abs(w) for w in weak_widths)
    zeroed = demo.zeroed(10.0, "lasso")
    assert len(demo.zero_marks.get_xdata()) == len(zeroed) > 0
    assert f"{len(zeroed)} of 10" in demo.bar_title.get_text()
    assert np.isclose(demo.path.marker.line.get_xdata()[0], 10.0)


def test_penalty_toggle_swaps_paths_and_blitting_is_exact(demo):
    lasso = demo.update(alpha=3.16, penalty="lasso")
    lasso_path = demo.path_lines[0].get_ydata().copy()
    ridge = demo.update(alpha=3.16, penalty="ridge")
    assert not np.array_equal(_pixels(lasso), _pixels(ridge))
    assert not np.allclose(demo.path_lines[0].get_ydata(), lasso_path)
    assert np.allclose(demo.path_lines[0].get_ydata(), demo.coefs["ridge"][:, 0])
    assert demo.zeroed(3.16, "ridge") == []  # ridge shrinks, never zeroes
    assert np.array_equal(_pixels(demo.update(alpha=3.16, penalty="lasso")), _pixels(lasso))
    with pytest.raises(ValueError, match="penalty"):
        demo.update(alpha=1.0, penalty="elastic")


def test_alpha_snaps_to_the_slider_grid(demo):
    demo.update(alpha=0.0105, penalty="ridge")
    assert np.isclose(demo.alpha, 0.01)
    demo.update(alpha=1e9, penalty="ridge")
    assert np.isclose(demo.alpha, 1e4)


@pytest.mark.parametrize("penalty", ["ridge", "lasso"])
@pytest.mark.parametrize("alpha", [0.01, 0.5, 2.0, 10.0, 100.0])
def test_coefficients_match_a_fresh_pipeline_fit(demo, penalty, alpha):
    on_grid = float(demo.alphas[demo.index(alpha)])
    assert np.isclose(on_grid, alpha, rtol=0.01)
    model, X_train, y_train = _fresh(penalty, on_grid)
    model.fit(X_train, y_train)
    shown = demo.coefficients(alpha, penalty)
    np.testing.assert_allclose(shown, model[-1].coef_, atol=0.2)  # Lasso's default tol is loose
    # Which coefficients are exactly zero: the same as with scikit-learn's default Lasso.
    assert demo.zeroed(alpha, penalty) == [n for n, c in zip(demo.names, model[-1].coef_, strict=True) if c == 0]
    if penalty == "lasso":  # converged to a tight tolerance, the agreement is much closer
        tight, _, _ = _fresh(penalty, on_grid, tol=1e-10, max_iter=1_000_000)
        np.testing.assert_allclose(shown, tight.fit(X_train, y_train)[-1].coef_, atol=1e-4)
    else:
        np.testing.assert_allclose(shown, model[-1].coef_, rtol=1e-9, atol=1e-9)


def test_every_lasso_zero_on_the_grid_matches_scikit_learn(demo):
    for alpha in demo.alphas[::3]:
        model, X_train, y_train = _fresh("lasso", float(alpha))
        model.fit(X_train, y_train)
        fresh = [n for n, c in zip(demo.names, model[-1].coef_, strict=True) if c == 0]
        assert demo.zeroed(alpha, "lasso") == fresh, alpha


@pytest.mark.parametrize("penalty", ["ridge", "lasso"])
@pytest.mark.parametrize("alpha", [0.01, 1.0, 100.0])
def test_errors_match_cross_validate_with_five_folds(demo, penalty, alpha):
    model, X_train, y_train = _fresh(penalty, alpha)
    scores = cross_validate(
        model, X_train, y_train, cv=KFold(5), scoring="neg_root_mean_squared_error", return_train_score=True
    )
    i = demo.index(alpha)
    assert np.isclose(demo.validation_error[penalty][i], -scores["test_score"].mean(), rtol=1e-4)
    assert np.isclose(demo.train_error[penalty][i], -scores["train_score"].mean(), rtol=1e-4)


def test_widget_shows_values_and_redraws_on_change():
    demo = ShrinkageDemo()
    box = demo.widget()
    slider, toggle = box.children[0].children
    image = box.children[1]
    assert slider.readout and slider.description.startswith("alpha")
    assert list(toggle.options) == ["ridge", "lasso"] and toggle.value == demo.penalty
    before = image.value
    slider.value = 100.0
    assert image.value != before and np.isclose(demo.alpha, 100.0)
    before = image.value
    toggle.value = "ridge"
    assert image.value != before and demo.penalty == "ridge"
