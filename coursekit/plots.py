"""Plotting primitives shared by the modules: one helper per kind of figure.

Figures are plain ``matplotlib.figure.Figure`` objects on the Agg canvas (no pyplot state), so a
demo can redraw them headlessly and hand the PNG to a widget. Each helper draws once and then
updates its artists in place, which keeps a widget update well under 100 ms.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]
TWO_CLASS_CMAP = ListedColormap([OKABE_ITO["sky"], OKABE_ITO["orange"]])


def new_figure(
    ncols: int = 1, width: float = 9.0, height: float = 3.4, dpi: int = 80
) -> tuple[Figure, list[Axes]]:
    """A figure with ``ncols`` axes side by side, laid out once (not on every redraw)."""
    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = list(figure.subplots(1, ncols, squeeze=False)[0])
    for ax in axes:
        ax.set_prop_cycle(color=CYCLE)
        ax.grid(True, alpha=0.3)
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.84, wspace=0.3)
    return figure, axes


def to_png(figure: Figure) -> bytes:
    """Render the figure to PNG bytes (what a widget shows and a test compares)."""
    buffer = io.BytesIO()
    figure.canvas.print_png(buffer)
    return buffer.getvalue()


def label(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


class Marker:
    """A vertical line marking the current hyperparameter value on a curve."""

    def __init__(self, ax: Axes, x: float, color: str = OKABE_ITO["black"]):
        self.line = ax.axvline(x, color=color, linestyle="--", linewidth=1.2)

    def move(self, x: float) -> None:
        self.line.set_xdata([x, x])


class CoefficientPath:
    """Learned coefficients (y) against a regularisation hyperparameter (log x)."""

    def __init__(
        self,
        ax: Axes,
        values: Sequence[float],
        coefficients: np.ndarray,
        names: Sequence[str],
        hyperparameter: str = "alpha",
        ylabel: str = "learned coefficient",
    ):
        coefficients = np.asarray(coefficients)
        for j, name in enumerate(names):
            ax.plot(values, coefficients[:, j], label=name, linewidth=1.5)
        ax.set_xscale("log")
        ax.axhline(0, color="grey", linewidth=0.8)
        label(ax, "Parameters learned at each setting", f"{hyperparameter} (log scale)", ylabel)
        if len(names) <= 10:
            ax.legend(fontsize=7, loc="best", ncol=2)
        self.marker = Marker(ax, values[0])

    def set_current(self, value: float) -> None:
        self.marker.move(value)


class ValidationCurve:
    """Training and validation score against a hyperparameter, with the current value marked."""

    def __init__(
        self,
        ax: Axes,
        values: Sequence[float],
        train: Sequence[float],
        validation: Sequence[float],
        hyperparameter: str,
        score_name: str,
        log_x: bool = True,
    ):
        ax.plot(values, train, label="training", color=OKABE_ITO["blue"], linewidth=1.8)
        ax.plot(values, validation, label="validation", color=OKABE_ITO["vermillion"], linewidth=1.8)
        if log_x:
            ax.set_xscale("log")
        scale = " (log scale)" if log_x else ""
        label(ax, f"{score_name} on training vs validation data", f"{hyperparameter}{scale}", score_name)
        ax.legend(fontsize=8)
        self.marker = Marker(ax, values[0])

    def set_current(self, value: float) -> None:
        self.marker.move(value)


class DecisionBoundary:
    """Predicted class (or probability) over a 2-D grid, with the data on top.

    Precompute the grid predictions for each setting; ``set_surface`` swaps the image data.
    """

    def __init__(
        self,
        ax: Axes,
        X: np.ndarray,
        y: np.ndarray,
        extent: tuple[float, float, float, float],
        feature_names: tuple[str, str],
        class_names: tuple[str, str] = ("class 0", "class 1"),
    ):
        X = np.asarray(X)
        y = np.asarray(y)
        self.image = ax.imshow(
            np.zeros((2, 2)),
            extent=extent,
            origin="lower",
            aspect="auto",
            cmap=TWO_CLASS_CMAP,
            vmin=0,
            vmax=1,
            alpha=0.35,
            interpolation="nearest",
        )
        for value, (colour, marker) in enumerate([(OKABE_ITO["blue"], "o"), (OKABE_ITO["vermillion"], "^")]):
            ax.scatter(
                X[y == value, 0], X[y == value, 1], s=14, c=colour, marker=marker,
                edgecolors="white", linewidths=0.4, label=class_names[value],
            )
        self.rings = ax.scatter([], [], s=60, facecolors="none", edgecolors=OKABE_ITO["black"], linewidths=1.0)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.legend(fontsize=8, loc="upper right")
        self.ax = ax

    def set_surface(self, surface: np.ndarray) -> None:
        self.image.set_data(surface)

    def ring(self, points: np.ndarray) -> None:
        """Circle some points (support vectors, for example)."""
        self.rings.set_offsets(np.asarray(points).reshape(-1, 2))


Extent = tuple[float, float, float, float]


def grid_2d(X: np.ndarray, steps: int = 120, margin: float = 0.05) -> tuple[np.ndarray, Extent]:
    """Points of a ``steps`` × ``steps`` grid covering ``X`` (two columns), and its extent."""
    X = np.asarray(X)
    low, high = X.min(axis=0), X.max(axis=0)
    pad = (high - low) * margin
    low, high = low - pad, high + pad
    xs = np.linspace(low[0], high[0], steps)
    ys = np.linspace(low[1], high[1], steps)
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()]), (low[0], high[0], low[1], high[1])


class SearchTrace:
    """Best score so far against the number of configurations tried, one line per strategy."""

    def __init__(self, ax: Axes, traces: dict[str, Sequence[float]], score_name: str):
        for name, trace in traces.items():
            ax.plot(np.arange(1, len(trace) + 1), trace, label=name, linewidth=1.8, drawstyle="steps-post")
        label(ax, "Best score found so far", "configurations evaluated (budget)", score_name)
        ax.legend(fontsize=8)
        self.marker = Marker(ax, 1)

    def set_current(self, budget: float) -> None:
        self.marker.move(budget)


class HeatMap:
    """A score over a grid of two hyperparameters, one cell per pair, the current cell outlined.

    ``scores[i, j]`` belongs to ``y_values[i]`` and ``x_values[j]``. Cells are evenly spaced, so
    log-spaced values appear on a log scale; tick labels show the values themselves and each
    cell prints its score (the best in bold). ``set_current`` moves the outline (animate
    ``self.outline`` in a demo).
    """

    def __init__(
        self,
        ax: Axes,
        x_values: Sequence[float],
        y_values: Sequence[float],
        scores: np.ndarray,
        x_name: str,
        y_name: str,
        score_name: str,
        title: str | None = None,
        fmt: str = ".2f",
        log: bool = True,
        cmap: str = "cividis",
    ):
        scores = np.asarray(scores, dtype=float)
        self.x_values = np.asarray(x_values, dtype=float)
        self.y_values = np.asarray(y_values, dtype=float)
        assert scores.shape == (len(self.y_values), len(self.x_values)), "scores[i, j] is (y_values[i], x_values[j])"
        self.log = log
        image = ax.imshow(scores, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest")
        colorbar = ax.figure.colorbar(image, ax=ax, fraction=0.06, pad=0.03)
        colorbar.set_label(score_name)
        low, high = np.nanmin(scores), np.nanmax(scores)
        for (i, j), value in np.ndenumerate(scores):
            bright = (value - low) > 0.5 * (high - low)
            ax.text(
                j, i, format(value, fmt), ha="center", va="center", fontsize=7,
                color="black" if bright else "white", fontweight="bold" if value == high else "normal",
            )
        ax.set_xticks(range(len(self.x_values)), [f"{v:g}" for v in self.x_values], fontsize=8)
        ax.set_yticks(range(len(self.y_values)), [f"{v:g}" for v in self.y_values], fontsize=8)
        ax.grid(False)
        scale = " (log scale)" if log else ""
        label(ax, title or f"{score_name} for each pair", f"{x_name}{scale}", f"{y_name}{scale}")
        (self.outline,) = ax.plot([], [], color=OKABE_ITO["vermillion"], linewidth=2.5, solid_joinstyle="miter")
        self.set_current(self.x_values[0], self.y_values[0])

    def _index(self, values: np.ndarray, value: float) -> int:
        if self.log:
            return int(np.argmin(np.abs(np.log(values) - np.log(value))))
        return int(np.argmin(np.abs(values - value)))

    def set_current(self, x: float, y: float) -> None:
        """Outline the cell nearest to (x, y)."""
        j, i = self._index(self.x_values, x), self._index(self.y_values, y)
        xs = [j - 0.5, j + 0.5, j + 0.5, j - 0.5, j - 0.5]
        ys = [i - 0.5, i - 0.5, i + 0.5, i + 0.5, i - 0.5]
        self.outline.set_data(xs, ys)
