"""Module 08 demos: where the line between parameters and hyperparameters blurs.

``WeightSearchDemo``: random search, the classic tool for hyperparameters, fits the *weights* of
a linear model too; compare the best weights it has found after a budget of tries with the
least-squares solution that a single linear solve gives.

``HypergradientDemo``: the validation error of ridge regression as a function of alpha, with its
slope drawn as a tangent at the chosen alpha. A slope is all gradient descent needs, so alpha can
be learned like a weight. The slope here is a finite difference of precomputed fits; the
notebook's exercise derives it in closed form.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from coursekit.data import diabetes_split
from coursekit.demos.base import Demo, budget_slider, log_slider
from coursekit.plots import OKABE_ITO, SearchTrace, ValidationCurve, label, new_figure

VALIDATION_SIZE = 0.3  # the notebook's training / validation split


def standardised_split(features, random_state: int = 0):
    """Training and validation arrays of the diabetes table, standardised with the training
    split's means and standard deviations; the target stays in clinical units."""
    # Row-major arrays: a column-major copy sums in another order and changes the last bits.
    X_train, X_val, y_train, y_val = (
        np.ascontiguousarray(part)
        for part in diabetes_split(features, test_size=VALIDATION_SIZE, random_state=random_state)
    )
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_val - mean) / std, y_train, y_val


class WeightSearchDemo(Demo):
    """Random search over the two weights of a linear model (BMI and log-triglycerides), against
    the least-squares fit.

    The target is centred on its training mean, so the model is ``prediction = mean + X @ w`` and
    the search only has the two weights to find. Each try draws ``w`` uniformly from the square
    ``[-scale, scale]²`` and scores it by training mean squared error; the search keeps the best.
    """

    FEATURES = ("bmi", "s5")

    def __init__(self, random_state: int = 0, max_budget: int = 1000, scale: float = 60.0):
        X_train, X_val, y_train, y_val = standardised_split(self.FEATURES, random_state)
        self.y_mean = float(y_train.mean())
        self.X_train, self.X_val = X_train, X_val
        self.y_train, self.y_val = y_train, y_val
        self.scale = scale
        self.max_budget = max_budget
        centred = y_train - self.y_mean
        self.least_squares = np.linalg.lstsq(X_train, centred, rcond=None)[0]

        # Every try the slider can reach, drawn once (seeded), with the best-so-far bookkeeping.
        rng = np.random.default_rng(random_state)
        self.tries = rng.uniform(-scale, scale, size=(max_budget, 2))
        self.train_losses = self.train_mse(self.tries)
        improved = self.train_losses == np.minimum.accumulate(self.train_losses)
        self.best_index = np.maximum.accumulate(np.where(improved, np.arange(max_budget), 0))
        best = self.tries[self.best_index]
        self.best_train = self.train_losses[self.best_index]
        self.best_val = self.val_mse(best)
        self.ls_train = float(self.train_mse(self.least_squares[None])[0])
        self.ls_val = float(self.val_mse(self.least_squares[None])[0])

        self.figure, (plane, trace) = new_figure(ncols=2, width=10.5, height=4.0)
        self.figure.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.84, wspace=0.62)
        grid = np.linspace(-scale, scale, 161)
        w1, w2 = np.meshgrid(grid, grid)
        surface = self.train_mse(np.column_stack([w1.ravel(), w2.ravel()])).reshape(w1.shape)
        levels = self.ls_train + (surface.max() - self.ls_train) * np.linspace(0, 1, 16)[1:] ** 2
        plane.contour(w1, w2, surface, levels=levels, colors=OKABE_ITO["black"], linewidths=0.6, alpha=0.35)
        ls_label = "least squares\n(one linear solve)\nw = ({:.1f}, {:.1f})".format(*self.least_squares)
        self.cloud = plane.scatter([], [], s=9, color=OKABE_ITO["sky"], alpha=0.6, label="weights tried")
        (self.path,) = plane.plot([], [], color=OKABE_ITO["orange"], linewidth=1.2, label="each improvement")
        (self.best,) = plane.plot([], [], "o", markersize=9, color=OKABE_ITO["vermillion"],
                                  markeredgecolor="white", label="best tried so far")
        # Drawn after the animated tries, so the solution the search is after stays visible.
        self.star = plane.plot(*self.least_squares, marker="*", markersize=16, color=OKABE_ITO["blue"],
                               linestyle="none", markeredgecolor="white", label=ls_label)[0]
        plane.set_xlim(-scale, scale)
        plane.set_ylim(-scale, scale)
        plane.set_aspect("equal", adjustable="box")
        label(plane, "Weights tried (contours: training MSE)", "weight of BMI (score per SD)",
              "weight of s5 (score per SD)")
        plane.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)

        budgets = np.arange(1, max_budget + 1)
        self.search_trace = SearchTrace(
            trace, {"training MSE": self.best_train, "validation MSE": self.best_val}, "mean squared error (score²)"
        )
        trace.lines[0].set_color(OKABE_ITO["blue"])
        trace.lines[1].set_color(OKABE_ITO["vermillion"])
        trace.axhline(self.ls_train, color=OKABE_ITO["blue"], linestyle=":", linewidth=1.4,
                      label=f"least squares: training ({self.ls_train:.0f})")
        trace.axhline(self.ls_val, color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1.4,
                      label=f"least squares: validation ({self.ls_val:.0f})")
        trace.set_xscale("log")
        trace.set_xlim(1, max_budget)
        top = max(self.best_train[0], self.best_val[0])
        trace.set_ylim(min(self.ls_train, self.best_train.min()) * 0.97, min(top, 2.2 * self.ls_val))
        trace.set_title("Error of the best weights so far", fontsize=10)
        trace.set_xlabel("weight vectors tried (budget, log scale)")
        trace.legend(fontsize=7, loc="upper right")
        self.dots = trace.scatter([budgets[0]] * 2, [self.best_train[0], self.best_val[0]], s=30, zorder=3,
                                  color=[OKABE_ITO["blue"], OKABE_ITO["vermillion"]])
        self.title = self.figure.suptitle(" ", fontsize=10.5)
        self.animate(self.cloud, self.path, self.best, self.star, self.search_trace.marker.line, self.dots,
                     self.title)
        self.budget = 1
        self.draw(budget=30)

    def train_mse(self, weights: np.ndarray) -> np.ndarray:
        """Training mean squared error of each row of ``weights`` (prediction = mean + X @ w)."""
        residuals = self.X_train @ np.asarray(weights).T - (self.y_train - self.y_mean)[:, None]
        return np.mean(residuals**2, axis=0)

    def val_mse(self, weights: np.ndarray) -> np.ndarray:
        """Validation mean squared error of each row of ``weights``."""
        residuals = self.X_val @ np.asarray(weights).T + self.y_mean - self.y_val[:, None]
        return np.mean(residuals**2, axis=0)

    def best_after(self, budget: int) -> np.ndarray:
        """The best weights among the first ``budget`` tries."""
        return self.tries[self.best_index[budget - 1]]

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {"budget": budget_slider("budget (tries)", self.budget, self.max_budget)}

    def draw(self, budget: int) -> None:
        budget = int(min(max(budget, 1), self.max_budget))
        self.budget = budget
        self.cloud.set_offsets(self.tries[:budget])
        improvements = np.unique(self.best_index[:budget])
        self.path.set_data(self.tries[improvements, 0], self.tries[improvements, 1])
        best = self.best_after(budget)
        self.best.set_data([best[0]], [best[1]])
        self.search_trace.set_current(budget)
        self.dots.set_offsets([[budget, self.best_train[budget - 1]], [budget, self.best_val[budget - 1]]])
        self.title.set_text(
            f"Best of {budget} tries: w = ({best[0]:.1f}, {best[1]:.1f}), "
            f"validation MSE {self.best_val[budget - 1]:.0f}"
        )


class HypergradientDemo(Demo):
    """Ridge regression of progression on four standardised measurements: training and
    validation MSE against alpha, the tangent to the validation curve at the chosen alpha, and
    that slope, d(validation MSE)/d ln(alpha), for every alpha.

    Fits are precomputed from one singular value decomposition (ridge for every alpha at once,
    with an unpenalised intercept, exactly what ``sklearn.linear_model.Ridge`` fits). Slopes are
    central finite differences in ln(alpha).
    """

    FEATURES = ("bmi", "bp", "s5", "s3")
    LOG10_RANGE = (0.0, 3.0)
    LOG10_STEP = 0.05
    STEP = 1e-4  # finite-difference step in ln(alpha)
    TANGENT_HALF_WIDTH = 0.8  # in ln(alpha)

    def __init__(self, random_state: int = 0):
        X_train, X_val, y_train, y_val = standardised_split(self.FEATURES, random_state)
        self.y_mean = float(y_train.mean())
        self.X_val, self.y_val = X_val, y_val
        self.X_train, self.y_train = X_train, y_train
        # Training features are centred already (standardised on the training split).
        u, self.singular, vt = np.linalg.svd(X_train, full_matrices=False)
        self.projected = u.T @ (y_train - self.y_mean)
        self.vt = vt

        self.alphas = 10 ** np.arange(self.LOG10_RANGE[0] - 0.2, self.LOG10_RANGE[1] + 0.201, 0.01)
        self.train_curve = self.mse(self.alphas, X_train, y_train)
        self.val_curve = self.mse(self.alphas, X_val, y_val)
        self.slope_curve = self.slope(self.alphas)
        self.positions = 10 ** np.arange(self.LOG10_RANGE[0], self.LOG10_RANGE[1] + self.LOG10_STEP / 2,
                                         self.LOG10_STEP)
        self.position_val = dict(zip(self.positions.tolist(), self.mse(self.positions, X_val, y_val), strict=True))
        self.position_slope = dict(zip(self.positions.tolist(), self.slope(self.positions), strict=True))
        best = int(np.argmin(self.val_curve))
        self.best_alpha = float(self.alphas[best])

        self.figure, (left, right) = new_figure(ncols=2, width=10.5, height=4.0)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.84, wspace=0.3)
        self.curve = ValidationCurve(left, self.alphas, self.train_curve, self.val_curve, "alpha",
                                     "mean squared error (score²)")
        left.set_title("Ridge error against alpha, tangent at your alpha", fontsize=10)
        (self.tangent,) = left.plot([], [], color=OKABE_ITO["black"], linewidth=2.0, label="tangent (slope)")
        (self.point,) = left.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=8,
                                  markeredgecolor="white")
        left.plot([self.best_alpha], [self.val_curve[best]], marker="v", color=OKABE_ITO["green"],
                  markersize=9, linestyle="none", label="validation minimum")
        left.legend(fontsize=7, loc="upper left")
        left.set_xlim(10 ** self.LOG10_RANGE[0] / 1.5, 10 ** self.LOG10_RANGE[1] * 1.5)
        shown = (self.alphas >= 10 ** self.LOG10_RANGE[0] / 1.5) & (self.alphas <= 10 ** self.LOG10_RANGE[1] * 1.5)
        low = min(self.train_curve[shown].min(), self.val_curve[shown].min())
        high = max(self.train_curve[shown].max(), self.val_curve[shown].max())
        left.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))

        right.plot(self.alphas, self.slope_curve, color=OKABE_ITO["vermillion"], linewidth=1.8,
                   label="slope of the validation curve")
        right.axhline(0, color="grey", linewidth=0.9)
        right.axvline(self.best_alpha, color=OKABE_ITO["green"], linewidth=1.2, linestyle=":",
                      label="slope 0: validation minimum")
        right.legend(fontsize=7, loc="upper left")
        right.set_xscale("log")
        right.set_xlim(*left.get_xlim())
        label(right, "Slope of the validation curve (the hypergradient)", "alpha (log scale)",
              "d(validation MSE) / d ln(alpha) (score²)")
        self.marker = right.axvline(1.0, color=OKABE_ITO["black"], linestyle="--", linewidth=1.2)
        (self.slope_point,) = right.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=8,
                                         markeredgecolor="white")
        self.title = self.figure.suptitle(" ", fontsize=10.5)
        self.animate(self.tangent, self.point, self.curve.marker.line, self.marker, self.slope_point, self.title)
        self.alpha = 10.0
        self.draw(alpha=self.alpha)

    def coefficients(self, alpha: float) -> np.ndarray:
        """Ridge weights for this alpha (training split, centred target, unpenalised intercept)."""
        shrink = self.singular / (self.singular**2 + alpha)
        return self.vt.T @ (shrink * self.projected)

    def mse(self, alphas, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mean squared error on (X, y) of the ridge fit for each alpha."""
        alphas = np.atleast_1d(np.asarray(alphas, dtype=float))
        shrink = self.singular[:, None] / (self.singular[:, None] ** 2 + alphas[None, :])
        weights = self.vt.T @ (shrink * self.projected[:, None])  # one column per alpha
        residuals = X @ weights + self.y_mean - np.asarray(y)[:, None]
        return np.mean(residuals**2, axis=0)

    def slope(self, alphas) -> np.ndarray:
        """d(validation MSE)/d ln(alpha) by a central finite difference."""
        alphas = np.atleast_1d(np.asarray(alphas, dtype=float))
        up = self.mse(alphas * np.exp(self.STEP), self.X_val, self.y_val)
        down = self.mse(alphas * np.exp(-self.STEP), self.X_val, self.y_val)
        return (up - down) / (2 * self.STEP)

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "alpha": log_slider("alpha (ridge penalty)", self.alpha, self.LOG10_RANGE, self.LOG10_STEP)
        }

    def snap(self, alpha: float) -> float:
        """The slider position nearest to ``alpha`` (its values are precomputed)."""
        return float(self.positions[int(np.argmin(np.abs(np.log(self.positions) - np.log(alpha))))])

    def draw(self, alpha: float) -> None:
        alpha = self.snap(alpha)
        self.alpha = alpha
        value, slope = self.position_val[alpha], self.position_slope[alpha]
        offsets = np.array([-self.TANGENT_HALF_WIDTH, self.TANGENT_HALF_WIDTH])
        self.tangent.set_data(alpha * np.exp(offsets), value + slope * offsets)
        self.point.set_data([alpha], [value])
        self.curve.set_current(alpha)
        self.marker.set_xdata([alpha, alpha])
        self.slope_point.set_data([alpha], [slope])
        move = "raise alpha" if slope < 0 else "lower alpha"
        self.title.set_text(f"validation MSE {value:.1f}, slope {slope:+.1f} → {move}")
