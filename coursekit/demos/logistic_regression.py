"""Module 02 demo: the C slider of logistic regression.

Two features of the breast-cancer table (mean radius and mean texture of the nuclei), scaled
inside a pipeline. Moving ``C`` (a hyperparameter, set before ``fit``) changes the learned
``coef_`` and ``intercept_``, hence where the decision boundary lies and how quickly the
predicted probability of malignancy changes across it.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from coursekit.data import cancer_training_split
from coursekit.demos.base import Demo, log_slider
from coursekit.plots import OKABE_ITO, CoefficientPath, DecisionBoundary, grid_2d, new_figure

FEATURES = ("mean_radius", "mean_texture")
AXIS_LABELS = ("mean radius of the nuclei (pixels)", "mean texture (SD of grey levels)")
LOG10_C_RANGE = (-3.0, 3.0)
LOG10_C_STEP = 0.25
GRID_STEPS = 120
# Probability levels drawn as lines: the boundary (0.5) and two contours either side of it.
LEVELS = (0.1, 0.5, 0.9)


def format_C(C: float) -> str:
    """Three significant digits without scientific notation: 0.00316, 1, 1000."""
    return np.format_float_positional(C, precision=3, unique=False, fractional=False, trim="-")


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


class LogisticBoundaryDemo(Demo):
    """Logistic regression of malignancy on two nucleus features, for every C on the slider.

    Every fit is done once in ``__init__`` (the training split of the course: 75 %, stratified,
    ``random_state=0``); ``update(C=...)`` only swaps precomputed surfaces and line data.
    """

    def __init__(self, random_state: int = 0):
        self.X_train, self.y_train = cancer_training_split(FEATURES, random_state)
        self.log10_Cs = np.arange(LOG10_C_RANGE[0], LOG10_C_RANGE[1] + LOG10_C_STEP / 2, LOG10_C_STEP)
        self.Cs = 10**self.log10_Cs
        self.points, self.extent = grid_2d(self.X_train, steps=GRID_STEPS)
        self.x_ends = np.array(self.extent[:2])

        self.models = {}
        self.surfaces, self.coefs, self.intercepts, self.recalls = [], [], [], []
        for C in self.Cs:
            model = self.fit(C)
            self.models[float(C)] = model
            self.surfaces.append(model.predict_proba(self.points)[:, 1].reshape(GRID_STEPS, GRID_STEPS))
            self.coefs.append(model[-1].coef_[0].copy())
            self.intercepts.append(float(model[-1].intercept_[0]))
            # Recall: the share of malignant training aspirates that the model flags as malignant.
            self.recalls.append(float(model.predict(self.X_train)[self.y_train == 1].mean()))
        self.coefs = np.array(self.coefs)

        self.figure, (left, right) = new_figure(ncols=2, width=9.6, height=4.2)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.25, top=0.85, wspace=0.25)
        self.boundary = DecisionBoundary(
            left, self.X_train, self.y_train, self.extent, AXIS_LABELS, class_names=("benign", "malignant")
        )
        # Same picture as the default for nearest-neighbour pixels, at a third of the drawing time.
        self.boundary.image.set_interpolation_stage("data")
        self.lines = []
        for level in LEVELS:
            boundary = level == 0.5
            (line,) = left.plot(
                [], [], "-" if boundary else "--", color=OKABE_ITO["black"], linewidth=1.8 if boundary else 1.0
            )
            self.lines.append(line)
        self.lines[0].set_label("P(malignant) = 0.1 and 0.9")
        self.lines[1].set_label("boundary: P(malignant) = 0.5")
        # The surface is redrawn on every update, so the legend sits below the axes (static) and
        # the training points are redrawn on top of the surface (animated).
        left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        points = [c for c in left.collections if c is not self.boundary.rings]
        self.left_title = left.set_title(" ", fontsize=10)

        self.path = CoefficientPath(
            right, self.Cs, self.coefs, [f"{name} (coef_)" for name in FEATURES],
            hyperparameter="C", ylabel="learned coefficient (per SD of the feature)",
        )
        right.set_ylim(-0.2, 1.1 * self.coefs.max())
        right.set_xlabel("C (log scale): larger C = weaker penalty")
        right.legend(fontsize=8, loc="upper left")  # the top left stays empty: coefficients grow with C
        (self.dots,) = right.plot([], [], "o", color=OKABE_ITO["black"], markersize=6, zorder=3)
        self.figure.suptitle(
            "Logistic regression on two nucleus features: C is set by you, coef_ and intercept_ are learned",
            fontsize=11,
        )
        self.animate(self.boundary.image, *points, *self.lines, self.path.marker.line, self.dots,
                     self.left_title)
        self.C = 1.0
        self.draw(C=self.C)

    def fit(self, C: float):
        """A scaled logistic regression with this C, fitted on the two training features."""
        return make_pipeline(StandardScaler(), LogisticRegression(C=C)).fit(self.X_train, self.y_train)

    def index(self, C: float) -> int:
        """Position of the slider value closest to ``C`` (on the log scale)."""
        return int(np.argmin(np.abs(self.log10_Cs - np.log10(C))))

    def level_line(self, i: int, level: float) -> np.ndarray:
        """y-values, at the left and right edges, of the line where P(malignant) = ``level``."""
        scaler = self.models[float(self.Cs[i])][0]
        (w1, w2), b = self.coefs[i], self.intercepts[i]
        z1 = (self.x_ends - scaler.mean_[0]) / scaler.scale_[0]
        z2 = (_logit(level) - b - w1 * z1) / w2
        return scaler.mean_[1] + scaler.scale_[1] * z2

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "C": log_slider("C (inverse penalty)", self.C, LOG10_C_RANGE, LOG10_C_STEP)
        }

    def draw(self, C: float) -> None:
        i = self.index(C)
        self.C = float(self.Cs[i])
        self.boundary.set_surface(self.surfaces[i])
        for line, level in zip(self.lines, LEVELS):
            line.set_data(self.x_ends, self.level_line(i, level))
        self.path.set_current(self.C)
        self.dots.set_data([self.C, self.C], self.coefs[i])
        # One short animated text: text is the slowest thing to draw.
        self.left_title.set_text(f"C = {format_C(self.C)}: training recall {self.recalls[i]:.2f}")
