"""Module 05 demo: C and gamma of an RBF support vector machine, the boundary they produce, the
support vectors it learns, and the cross-validated accuracy over the whole (C, gamma) grid."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from coursekit.data import cancer_training_split
from coursekit.demos.base import Demo, log_slider
from coursekit.plots import DecisionBoundary, HeatMap, grid_2d, new_figure

FEATURES = ("mean_texture", "worst_concave_points")
LOG10_C = (-2, 3)  # C = 0.01 … 1000, one value per decade
LOG10_GAMMA = (-3, 3)  # gamma = 0.001 … 1000
BOUNDARY_STEPS = 64
CV_FOLDS = 5


def _decades(bounds: tuple[int, int]) -> np.ndarray:
    return 10.0 ** np.arange(bounds[0], bounds[1] + 1)


def _predict(model: SVC, gamma: float, points: np.ndarray) -> np.ndarray:
    """``model.predict(points)`` for a binary RBF SVC, computed from its learned parameters
    (support vectors, dual coefficients, intercept) in one NumPy product: much faster than
    libsvm's point-by-point prediction on thousands of grid points. Single precision is plenty
    for the colour of a pixel."""
    points = np.asarray(points, dtype=np.float32)
    vectors = model.support_vectors_.astype(np.float32)
    squared = (points**2).sum(axis=1)[:, None] + (vectors**2).sum(axis=1)[None, :] - 2 * points @ vectors.T
    kernel = np.exp(np.float32(-gamma) * np.maximum(squared, 0.0))
    decision = kernel @ model.dual_coef_[0].astype(np.float32) + model.intercept_[0]
    return model.classes_[(decision > 0).astype(int)]


@lru_cache(maxsize=2)
def _precompute(random_state: int) -> dict:
    """Every fit the sliders can ask for (6 × 7 settings), done once per session."""
    X_train, y_train = cancer_training_split(FEATURES, random_state)
    Cs, gammas = _decades(LOG10_C), _decades(LOG10_GAMMA)
    scaled = StandardScaler().fit_transform(X_train)
    grid, extent = grid_2d(scaled, steps=BOUNDARY_STEPS)
    # Cross-validation folds scale inside each fold, as make_pipeline(StandardScaler(), SVC()) does.
    folds = []
    for fit_rows, check_rows in StratifiedKFold(CV_FOLDS).split(X_train, y_train):
        scaler = StandardScaler().fit(X_train[fit_rows])
        folds.append(
            (scaler.transform(X_train[fit_rows]), y_train[fit_rows],
             scaler.transform(X_train[check_rows]), y_train[check_rows])
        )
    shape = (len(Cs), len(gammas))
    cv_accuracy = np.zeros(shape)
    support_counts = np.zeros(shape, dtype=int)
    surfaces = np.zeros(shape + (BOUNDARY_STEPS, BOUNDARY_STEPS), dtype=np.uint8)
    support_vectors = {}
    for i, C in enumerate(Cs):
        for j, gamma in enumerate(gammas):
            cv_accuracy[i, j] = np.mean(
                [np.mean(_predict(SVC(C=C, gamma=gamma).fit(a, b), gamma, c) == d) for a, b, c, d in folds]
            )
            model = SVC(C=C, gamma=gamma).fit(scaled, y_train)
            support_vectors[i, j] = model.support_vectors_
            support_counts[i, j] = len(model.support_vectors_)
            surfaces[i, j] = _predict(model, gamma, grid).reshape(BOUNDARY_STEPS, BOUNDARY_STEPS)
    for array in (cv_accuracy, support_counts, surfaces):
        array.setflags(write=False)  # shared by every demo built in this session
    return {
        "X_train": X_train, "y_train": y_train, "scaled": scaled, "extent": extent,
        "Cs": Cs, "gammas": gammas, "cv_accuracy": cv_accuracy, "support_counts": support_counts,
        "surfaces": surfaces, "support_vectors": support_vectors,
    }


class SVMDemo(Demo):
    """RBF support vector machine on two standardised features of the breast-cancer table.

    The knobs are ``C`` and ``gamma`` (hyperparameters, set before ``fit``). What ``fit`` learns
    is shown on the left: the boundary, and the support vectors (ringed) that define it with
    their weights ``dual_coef_`` and the ``intercept_``. The right panel is the 5-fold
    cross-validated accuracy (training split only) for every slider position, the current one
    outlined.
    """

    def __init__(self, random_state: int = 0):
        pre = _precompute(random_state)
        self.X_train, self.y_train, self.scaled = pre["X_train"], pre["y_train"], pre["scaled"]
        self.Cs, self.gammas = pre["Cs"], pre["gammas"]
        self.cv_accuracy, self.support_counts = pre["cv_accuracy"], pre["support_counts"]
        self._surfaces, self._support_vectors = pre["surfaces"], pre["support_vectors"]

        self.figure, (left, right) = new_figure(ncols=2, width=10.0, height=4.3)
        self.figure.subplots_adjust(left=0.07, right=0.94, bottom=0.13, top=0.84, wspace=0.22)
        names = tuple(f"{name.replace('_', ' ')} (SD units)" for name in FEATURES)
        self.boundary = DecisionBoundary(
            left, self.scaled, self.y_train, pre["extent"], names, class_names=("benign", "malignant")
        )
        self.heatmap = HeatMap(
            right, self.gammas, self.Cs, self.cv_accuracy, "gamma", "C", "CV accuracy",
            title=f"{CV_FOLDS}-fold CV accuracy on the training split",
        )
        self.title = left.set_title(" ", fontsize=10)
        self.figure.suptitle(
            "RBF support vector machine: C and gamma are set by you; the support vectors are learned",
            fontsize=11,
        )
        self.animate(self.boundary.image, self.boundary.rings, self.heatmap.outline, self.title)
        self.C, self.gamma = 1.0, 1.0
        self.draw(C=self.C, gamma=self.gamma)

    def index(self, C: float, gamma: float) -> tuple[int, int]:
        """Row and column of the precomputed grid nearest to (C, gamma) on a log scale."""
        i = int(np.argmin(np.abs(np.log10(self.Cs) - np.log10(C))))
        j = int(np.argmin(np.abs(np.log10(self.gammas) - np.log10(gamma))))
        return i, j

    def support_vectors(self, C: float, gamma: float) -> np.ndarray:
        """The learned support vectors (standardised units) for the grid point nearest (C, gamma)."""
        return self._support_vectors[self.index(C, gamma)]

    def controls(self) -> dict[str, widgets.ValueWidget]:
        common = dict(step=1, width="360px", readout_format=".1r")
        return {
            "C": log_slider("C (knob)", self.C, LOG10_C, **common),
            "gamma": log_slider("gamma (knob)", self.gamma, LOG10_GAMMA, **common),
        }

    def draw(self, C: float, gamma: float) -> None:
        i, j = self.index(C, gamma)
        self.C, self.gamma = float(self.Cs[i]), float(self.gammas[j])
        self.boundary.set_surface(self._surfaces[i, j])
        self.boundary.ring(self._support_vectors[i, j])
        self.heatmap.set_current(self.gamma, self.C)
        self.title.set_text(
            f"C = {self.C:g}, gamma = {self.gamma:g}  →  {self.support_counts[i, j]} support vectors (ringed)"
        )
