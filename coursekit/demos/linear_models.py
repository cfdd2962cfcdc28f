"""Module 01 demo: one alpha slider for ridge and lasso regression on the diabetes table.

The ten baseline measurements are standardised (as a ``StandardScaler`` inside a pipeline would
do), so every coefficient is in progression points per standard deviation of its measurement
and the penalty treats them alike. ``alpha`` (a hyperparameter, set before ``fit``) moves the
learned ``coef_``: ridge shrinks them all smoothly, lasso sets some of them to exactly 0.

Everything the figure shows is computed once in ``__init__``, for every alpha on the slider's
grid and both penalties: the coefficient paths on the course's training split, and the 5-fold
cross-validated training and validation error (the same folds as ``GridSearchCV(..., cv=5)``).
``update(alpha=..., penalty=...)`` only swaps line and bar data.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from sklearn.linear_model import lasso_path
from sklearn.model_selection import KFold

from coursekit.data import diabetes_split
from coursekit.demos.base import Demo, log_slider
from coursekit.plots import CYCLE, OKABE_ITO, CoefficientPath, ValidationCurve, new_figure

LOG10_ALPHA_RANGE = (-2.0, 4.0)
LOG10_ALPHA_STEP = 0.1
PENALTIES = ("ridge", "lasso")
N_FOLDS = 5
# Lasso stops when the duality gap is below tol × ||y||²; tighter than scikit-learn's default
# (1e-4) so that the precomputed paths match a fresh ``Lasso`` fit to many digits.
LASSO_TOL = 1e-8


def _standardise(X_fit: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale with the mean and standard deviation of ``X_fit`` (what ``StandardScaler`` learns)."""
    mean, scale = X_fit.mean(axis=0), X_fit.std(axis=0)
    return [(X - mean) / scale for X in (X_fit, *others)]


def ridge_coefficients(X: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """``Ridge(alpha).fit(X, y).coef_`` for every alpha (rows), for centred ``X``: one SVD."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    Uty = U.T @ (y - y.mean())
    shrink = s[None, :] / (s[None, :] ** 2 + np.asarray(alphas)[:, None])
    return (shrink * Uty[None, :]) @ Vt


def lasso_coefficients(X: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """``Lasso(alpha).fit(X, y).coef_`` for every alpha (rows), for centred ``X``: one warm-started path."""
    order = np.argsort(alphas)[::-1]  # the path runs from strong to weak penalty
    _, coefs, _ = lasso_path(X, y - y.mean(), alphas=np.asarray(alphas)[order], tol=LASSO_TOL, max_iter=100_000)
    result = np.empty((len(alphas), X.shape[1]))
    result[order] = coefs.T
    return result


COEFFICIENTS = {"ridge": ridge_coefficients, "lasso": lasso_coefficients}


def _rmse(y: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Root mean squared error of each row of ``predicted`` (one row per alpha)."""
    return np.sqrt(((predicted - y[None, :]) ** 2).mean(axis=1))


class ShrinkageDemo(Demo):
    """Ridge or lasso on the ten standardised diabetes measurements, for every alpha on the slider."""

    def __init__(self, random_state: int = 0):
        X_train, _, y_train, _ = diabetes_split(random_state=random_state)
        self.names = list(X_train.columns)
        self.X_train = X_train.to_numpy(dtype=float)
        self.y_train = y_train.to_numpy(dtype=float)
        self.log10_alphas = np.round(
            np.arange(LOG10_ALPHA_RANGE[0], LOG10_ALPHA_RANGE[1] + LOG10_ALPHA_STEP / 2, LOG10_ALPHA_STEP), 10
        )
        self.alphas = 10**self.log10_alphas

        # Learned coefficients on the whole training split, per standard deviation of each measurement.
        (X_scaled,) = _standardise(self.X_train)
        self.coefs = {p: COEFFICIENTS[p](X_scaled, self.y_train, self.alphas) for p in PENALTIES}
        # Training and validation error, averaged over the same 5 folds as GridSearchCV(cv=5).
        train_error = {p: np.zeros(len(self.alphas)) for p in PENALTIES}
        validation_error = {p: np.zeros(len(self.alphas)) for p in PENALTIES}
        for fit_rows, validation_rows in KFold(N_FOLDS).split(self.X_train):
            X_fit, X_val = _standardise(self.X_train[fit_rows], self.X_train[validation_rows])
            y_fit, y_val = self.y_train[fit_rows], self.y_train[validation_rows]
            for p in PENALTIES:
                coefs = COEFFICIENTS[p](X_fit, y_fit, self.alphas)
                train_error[p] += _rmse(y_fit, y_fit.mean() + coefs @ X_fit.T) / N_FOLDS
                validation_error[p] += _rmse(y_val, y_fit.mean() + coefs @ X_val.T) / N_FOLDS
        self.train_error, self.validation_error = train_error, validation_error

        self._build_figure()
        self.alpha, self.penalty = 1.0, "lasso"
        self.draw(alpha=self.alpha, penalty=self.penalty)

    # -- figure -------------------------------------------------------------------------------

    def _style(self, j: int) -> tuple[str, str]:
        """Colour and line style of feature ``j`` (ten features, seven colours: the last three dashed)."""
        return CYCLE[j % len(CYCLE)], "-" if j < len(CYCLE) else "--"

    def _build_figure(self) -> None:
        n = len(self.names)
        self.figure, (path_ax, bar_ax, error_ax) = new_figure(ncols=3, width=11.5, height=4.0)
        self.figure.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.8, wspace=0.32)

        self.path = CoefficientPath(
            path_ax, self.alphas, self.coefs["ridge"], self.names,
            ylabel="coefficient (points per SD)",
        )
        self.path_lines = path_ax.get_lines()[:n]
        for j, line in enumerate(self.path_lines):
            colour, style = self._style(j)
            line.set_color(colour)
            line.set_linestyle(style)
        if path_ax.get_legend() is not None:
            path_ax.get_legend().remove()  # the middle panel names every colour
        both = np.concatenate([self.coefs[p] for p in PENALTIES])
        low, high = both.min(), both.max()
        path_ax.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
        path_ax.set_xlim(self.alphas[0], self.alphas[-1])
        path_ax.set_title("coefficient path of each measurement", fontsize=10)

        # Middle: the ten learned coefficients at the current alpha.
        rows = np.arange(n)[::-1]  # first feature on top
        self.bars = bar_ax.barh(rows, np.zeros(n), height=0.7)
        for j, bar in enumerate(self.bars):
            colour, style = self._style(j)
            bar.set_color(colour)
            if style == "--":
                bar.set_hatch("///")
                bar.set_edgecolor(OKABE_ITO["black"])
                bar.set_facecolor("white")
        bar_ax.set_yticks(rows, self.names)
        for j, tick in enumerate(bar_ax.get_yticklabels()):
            tick.set_color(self._style(j)[0])
            tick.set_fontweight("bold")
        reach = 1.1 * np.abs(both).max()
        bar_ax.set_xlim(-reach, reach)
        bar_ax.set_ylim(-0.7, n - 0.3)
        bar_ax.axvline(0, color="grey", linewidth=0.8)
        bar_ax.set_xlabel("learned coef_ (points per SD)")
        bar_ax.grid(False, axis="y")
        (self.zero_marks,) = bar_ax.plot(
            [], [], "x", color=OKABE_ITO["vermillion"], markersize=9, markeredgewidth=2.2, label="exactly 0"
        )
        bar_ax.legend(handles=[self.zero_marks], fontsize=8, loc="lower right")
        self.bar_title = bar_ax.set_title(" ", fontsize=10)
        self.rows = rows

        # Right: training and validation error (5-fold CV on the training split).
        self.curve = ValidationCurve(
            error_ax, self.alphas, self.train_error["ridge"], self.validation_error["ridge"],
            hyperparameter="alpha", score_name="RMSE (progression points)",
        )
        self.error_lines = error_ax.get_lines()[:2]
        errors = np.concatenate([[self.train_error[p], self.validation_error[p]] for p in PENALTIES])
        error_ax.set_ylim(errors.min() - 3, errors.max() + 3)
        error_ax.set_xlim(self.alphas[0], self.alphas[-1])
        (self.best_dot,) = error_ax.plot([], [], "*", color=OKABE_ITO["vermillion"], markersize=11,
                                         label="lowest validation error")
        (self.current_dots,) = error_ax.plot([], [], "o", color=OKABE_ITO["black"], markersize=5)
        error_ax.legend(fontsize=7.5, loc="upper left")
        self.error_title = error_ax.set_title(" ", fontsize=10)

        self.figure.suptitle(
            "alpha (set before fit) changes the coefficients fit learns, and with them the error",
            fontsize=11,
        )
        # Axes, ticks, labels and legends are drawn once; lines are cheap to redraw, so everything
        # that changes with the slider or the toggle is animated.
        self.animate(
            *self.path_lines, self.path.marker.line,
            *self.bars, self.zero_marks, self.bar_title,
            *self.error_lines, self.curve.marker.line, self.best_dot, self.current_dots, self.error_title,
        )

    # -- controls and updates -----------------------------------------------------------------

    def index(self, alpha: float) -> int:
        """Position of ``alpha`` on the slider's grid (the nearest grid value)."""
        position = round((np.log10(alpha) - LOG10_ALPHA_RANGE[0]) / LOG10_ALPHA_STEP)
        return int(np.clip(position, 0, len(self.alphas) - 1))

    def coefficients(self, alpha: float, penalty: str) -> np.ndarray:
        """Learned coefficients (per SD) at the grid value nearest ``alpha``."""
        return self.coefs[penalty][self.index(alpha)]

    def zeroed(self, alpha: float, penalty: str) -> list[str]:
        """Names of the measurements whose learned coefficient is exactly 0."""
        return [name for name, c in zip(self.names, self.coefficients(alpha, penalty), strict=True) if c == 0]

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "alpha": log_slider(
                "alpha (set before fit)", self.alpha, LOG10_ALPHA_RANGE, LOG10_ALPHA_STEP, width="480px"
            ),
            "penalty": widgets.ToggleButtons(
                options=list(PENALTIES),
                value=self.penalty,
                description="penalty",
                style={"description_width": "initial", "button_width": "70px"},
            ),
        }

    def draw(self, alpha: float, penalty: str) -> None:
        if penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {PENALTIES}, not {penalty!r}")
        i = self.index(alpha)
        alpha = float(self.alphas[i])
        self.alpha, self.penalty = alpha, penalty
        coefs = self.coefs[penalty]
        train, validation = self.train_error[penalty], self.validation_error[penalty]
        for j, line in enumerate(self.path_lines):
            line.set_ydata(coefs[:, j])
        self.path.set_current(alpha)

        current = coefs[i]
        for bar, value in zip(self.bars, current, strict=True):
            bar.set_width(value)
        zero = current == 0
        self.zero_marks.set_data(np.zeros(zero.sum()), self.rows[zero])
        self.bar_title.set_text(
            f"{penalty}, alpha = {alpha:.3g}: {int(zero.sum())} of {len(current)} coefficients are 0"
        )

        for line, values in zip(self.error_lines, (train, validation), strict=True):
            line.set_ydata(values)
        best = int(np.argmin(validation))
        self.best_dot.set_data([self.alphas[best]], [validation[best]])
        self.curve.set_current(alpha)
        self.current_dots.set_data([alpha, alpha], [train[i], validation[i]])
        self.error_title.set_text(f"validation RMSE {validation[i]:.1f}, training {train[i]:.1f}")
