"""Module 03 demo: the k slider. How many stored patients vote, and what that does to the boundary
and to training vs validation accuracy (bias and variance)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Patch
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from coursekit.data import cancer_training_split
from coursekit.demos.base import Demo
from coursekit.plots import OKABE_ITO, TWO_CLASS_CMAP, DecisionBoundary, ValidationCurve, grid_2d, new_figure

FEATURES = ("mean_radius", "mean_texture")
AXIS_LABELS = ("mean radius of the nuclei (pixels)", "mean texture (SD of grey levels)")
CLASS_NAMES = ("benign", "malignant")
K_MAX = 199


def votes_for_every_k(X_fit: np.ndarray, y_fit: np.ndarray, X_query: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """Class predicted for each query row by a scaler + k-nearest-neighbour model fitted on
    ``X_fit``, for every (odd) k in ``ks``; shape ``(len(X_query), len(ks))``.

    One neighbour search with the largest k serves every k: the k nearest are the first k of the
    largest list, so a running count of malignant neighbours gives every vote at once. A k-d tree
    finds the same neighbours as scikit-learn's default ("auto"), which switches to a slower
    brute-force scan when k exceeds half the rows.
    """
    scaler = StandardScaler().fit(X_fit)
    neighbours = NearestNeighbors(n_neighbors=int(ks.max()), algorithm="kd_tree").fit(scaler.transform(X_fit))
    _, index = neighbours.kneighbors(scaler.transform(X_query))
    malignant_votes = np.cumsum(y_fit[index], axis=1)[:, ks - 1]
    return (2 * malignant_votes > ks).astype(np.uint8)  # a majority of an odd number never ties


class NearestNeighboursDemo(Demo):
    """k-nearest neighbours on two features of the breast-cancer table, with scaling in the model.

    The knob is ``k`` (``n_neighbors``, a hyperparameter). Nothing else is learned: the model is
    the 426 stored training patients, and ``k`` only decides how many of them vote. Every k's
    boundary and its training and validation accuracy (5-fold cross-validation on the training
    split) are computed once in ``__init__``; an update only swaps pixels and moves markers.
    """

    def __init__(self, random_state: int = 8, grid_steps: int = 120, k_max: int = K_MAX):
        self.X_train, self.y_train = cancer_training_split(FEATURES, random_state)
        self.ks = np.arange(1, k_max + 1, 2)
        self.cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        self.train_accuracy, self.validation_accuracy = self._curves()
        grid, extent = grid_2d(self.X_train, steps=grid_steps)
        self.grid = grid
        predictions = votes_for_every_k(self.X_train, self.y_train, grid, self.ks)
        self.surfaces = predictions.T.reshape(len(self.ks), grid_steps, grid_steps)

        self.figure, (left, right) = new_figure(ncols=2, width=10.0, height=4.3)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.83, wspace=0.25)
        self.boundary = DecisionBoundary(left, self.X_train, self.y_train, extent, AXIS_LABELS, CLASS_NAMES)
        # The key sits above the axes, so the redrawn shading never covers it (it stays in the cached
        # background); it also explains the shading.
        handles, labels = left.get_legend_handles_labels()
        handles += [Patch(color=TWO_CLASS_CMAP(0), alpha=0.5), Patch(color=TWO_CLASS_CMAP(1), alpha=0.5)]
        labels = [f"{name} patient (training)" for name in labels] + [f"predicted {name}" for name in CLASS_NAMES]
        left.legend(
            handles, labels, fontsize=8,
            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, borderaxespad=0.3,
        )
        self.curve = ValidationCurve(
            right, self.ks, self.train_accuracy, self.validation_accuracy,
            hyperparameter="k = n_neighbors (number of voting patients)",
            score_name="accuracy", log_x=False,
        )
        right.set_xlim(-3, k_max + 3)
        low = min(self.train_accuracy.min(), self.validation_accuracy.min())
        right.set_ylim(np.floor(low * 50) / 50 - 0.02, 1.01)
        right.legend(fontsize=8, loc="center right")
        right.text(0.02, 0.03, "← small k overfits", transform=right.transAxes, fontsize=8)
        right.text(0.98, 0.03, "large k underfits →", transform=right.transAxes, fontsize=8, ha="right")
        (self.train_dot,) = right.plot([], [], "o", color=OKABE_ITO["blue"], markersize=7)
        (self.validation_dot,) = right.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=7)
        self.readout = right.text(0.98, 0.92, " ", transform=right.transAxes, fontsize=9, ha="right")
        self.figure.suptitle(
            "k-nearest neighbours: you set k; the stored training patients are the whole model", fontsize=11
        )
        # The shading is redrawn on every update, so the points on top of it are too.
        self.animate(
            self.boundary.image, *left.collections,
            self.curve.marker.line, self.train_dot, self.validation_dot, self.readout,
        )
        self.k = 5  # scikit-learn's default
        self.draw(k=self.k)

    def _curves(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean training and validation accuracy over the folds, for every k."""
        train, validation = [], []
        for fit_rows, held_out in self.cv.split(self.X_train, self.y_train):
            X_fit, y_fit = self.X_train[fit_rows], self.y_train[fit_rows]
            X_val, y_val = self.X_train[held_out], self.y_train[held_out]
            train.append((votes_for_every_k(X_fit, y_fit, X_fit, self.ks) == y_fit[:, None]).mean(axis=0))
            validation.append((votes_for_every_k(X_fit, y_fit, X_val, self.ks) == y_val[:, None]).mean(axis=0))
        return np.mean(train, axis=0), np.mean(validation, axis=0)

    def index_of(self, k: float) -> int:
        """Position of the odd k nearest to ``k`` in ``self.ks``."""
        return int(np.clip(round((k - 1) / 2), 0, len(self.ks) - 1))

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "k": widgets.IntSlider(
                value=self.k,
                min=int(self.ks[0]),
                max=int(self.ks[-1]),
                step=2,
                description="k (n_neighbors)",
                continuous_update=True,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="460px"),
            )
        }

    def draw(self, k: int) -> None:
        i = self.index_of(k)
        self.k = int(self.ks[i])
        train, validation = self.train_accuracy[i], self.validation_accuracy[i]
        self.boundary.set_surface(self.surfaces[i])
        self.curve.set_current(self.k)
        self.train_dot.set_data([self.k], [train])
        self.validation_dot.set_data([self.k], [validation])
        self.readout.set_text(f"k = {self.k}: training {train:.3f}, validation {validation:.3f}")
