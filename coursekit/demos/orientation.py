"""Module 00 demo: the "radio knob" — turn a hyperparameter, watch the learned parameters move."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from sklearn.linear_model import Ridge

from coursekit.data import diabetes_split
from coursekit.demos.base import Demo, log_slider
from coursekit.plots import OKABE_ITO, CoefficientPath, label, new_figure

LOG10_ALPHA_RANGE = (0.0, 6.0)
LOG10_ALPHA_STEP = 0.1


class RadioKnobDemo(Demo):
    """Ridge regression of diabetes progression on BMI alone.

    The knob is ``alpha`` (a hyperparameter, set before ``fit``); what moves is the fitted line,
    that is, the learned ``coef_`` (slope) and ``intercept_``.
    """

    def __init__(self, random_state: int = 0):
        x_train, _, y_train, _ = diabetes_split(["bmi"], random_state=random_state)
        self.x_train = x_train.to_numpy()
        self.y_train = y_train.to_numpy()
        self._fits: dict[float, tuple[float, float]] = {}
        # The whole path is cheap (one feature) and lets the right panel show every setting.
        self.alphas = 10 ** np.arange(
            LOG10_ALPHA_RANGE[0], LOG10_ALPHA_RANGE[1] + LOG10_ALPHA_STEP / 2, LOG10_ALPHA_STEP
        )
        slopes = np.array([self.fit(a)[0] for a in self.alphas])

        self.figure, (left, right) = new_figure(ncols=2)
        left.scatter(
            self.x_train[:, 0], self.y_train, s=10, color=OKABE_ITO["sky"], alpha=0.7, label="training patients"
        )
        self.xs = np.linspace(self.x_train.min(), self.x_train.max(), 2)
        (self.line,) = left.plot(self.xs, self.xs, color=OKABE_ITO["vermillion"], linewidth=2.2, label="learned line")
        label(left, "", "BMI (kg/m²)", "progression after one year (score)")
        left.legend(fontsize=8, loc="upper left")
        self.path = CoefficientPath(
            right, self.alphas, slopes[:, None], ["slope (coef_)"],
            ylabel="learned slope (score per kg/m²)",
        )
        (self.dot,) = right.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=7)
        self.figure.suptitle(
            "Hyperparameter (set by you) vs parameters (learned by fit): ridge regression on BMI",
            fontsize=11,
        )
        left.set_ylim(self.y_train.min() - 10, self.y_train.max() + 10)
        self.title = left.set_title(" ", fontsize=10)
        self.animate(self.line, self.dot, self.path.marker.line, self.title)
        self.alpha = 1.0
        self.draw(alpha=self.alpha)

    def fit(self, alpha: float) -> tuple[float, float]:
        """Learned (slope, intercept) for this alpha, fitted on the training patients (cached)."""
        if alpha not in self._fits:
            model = Ridge(alpha=alpha).fit(self.x_train, self.y_train)
            self._fits[alpha] = (float(model.coef_[0]), float(model.intercept_))
        return self._fits[alpha]

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "alpha": log_slider("alpha (knob)", self.alpha, LOG10_ALPHA_RANGE, LOG10_ALPHA_STEP)
        }

    def draw(self, alpha: float) -> None:
        # Snap to the slider's grid so repeated moves reuse cached fits.
        alpha = float(10 ** (round(np.log10(alpha) / LOG10_ALPHA_STEP) * LOG10_ALPHA_STEP))
        self.alpha = alpha
        slope, intercept = self.fit(alpha)
        self.line.set_ydata(intercept + slope * self.xs)
        self.dot.set_data([alpha], [slope])
        self.path.set_current(alpha)
        self.title.set_text(
            f"alpha = {alpha:.3g} (set)  →  slope = {slope:.2f}, intercept = {intercept:.1f} (learned)"
        )
