"""Module 06 demo: hidden units and learning rate of a small neural network (MLP).

Two features of the breast-cancer table (mean radius and mean texture of the nuclei), scaled
inside a pipeline. The sliders are two hyperparameters, set before ``fit``: the number of units
in the one hidden layer and ``learning_rate_init``. What they change is shown twice: the training
loss after every epoch (``loss_curve_``) and the decision boundary that the learned weights and
biases (``coefs_``, ``intercepts_``) draw.

Training a network takes too long for a slider, so every combination on the slider grid is
fitted once in ``__init__`` (a few seconds); an update only swaps line and image data.
"""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from coursekit.data import cancer_training_split
from coursekit.demos.base import Demo
from coursekit.plots import OKABE_ITO, DecisionBoundary, grid_2d, label, new_figure

FEATURES = ("mean_radius", "mean_texture")
AXIS_LABELS = ("mean radius of the nuclei (pixels)", "mean texture (SD of grey levels)")
HIDDEN_UNITS = (1, 2, 4, 8, 16, 32)
LEARNING_RATES = tuple(float(10.0**e) for e in np.arange(-3.0, 0.01, 0.5))  # 0.001 … 1
EPOCHS = 80
GRID_STEPS = 100


class MLPTrainingDemo(Demo):
    """A one-hidden-layer MLP on two nucleus features, for every (hidden units, learning rate) pair.

    Every network is trained for exactly ``EPOCHS`` passes over the training split of the course
    (75 %, stratified, ``random_state=0``) with full-batch Adam, so the loss curves are comparable;
    ``model(units, learning_rate)`` returns the fitted pipeline behind each picture.
    """

    def __init__(self, random_state: int = 0):
        self.X_train, self.y_train = cancer_training_split(FEATURES, random_state)
        self.random_state = random_state
        self.points, self.extent = grid_2d(self.X_train, steps=GRID_STEPS)

        self.models: dict[tuple[int, float], Pipeline] = {}
        self.curves: dict[tuple[int, float], np.ndarray] = {}
        self.surfaces: dict[tuple[int, float], np.ndarray] = {}
        self.accuracies: dict[tuple[int, float], float] = {}
        self.n_learned: dict[tuple[int, float], int] = {}
        # Small matrices: one BLAS thread is faster, and much faster on a busy machine.
        with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
            # Every network gets the same fixed budget of epochs, so most stop before they have
            # "converged": that is the point of the picture, not a problem to report.
            warnings.simplefilter("ignore", ConvergenceWarning)
            for units in HIDDEN_UNITS:
                for rate in LEARNING_RATES:
                    model = self.fit(units, rate)
                    net = model[-1]
                    key = (units, rate)
                    self.models[key] = model
                    self.curves[key] = np.asarray(net.loss_curve_)
                    self.surfaces[key] = model.predict(self.points).reshape(GRID_STEPS, GRID_STEPS).astype(float)
                    self.accuracies[key] = float(model.score(self.X_train, self.y_train))
                    self.n_learned[key] = int(
                        sum(w.size for w in net.coefs_) + sum(b.size for b in net.intercepts_)
                    )

        self.figure, (left, right) = new_figure(ncols=2, width=10.0, height=4.3)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.24, top=0.85, wspace=0.25)
        epochs = np.arange(1, EPOCHS + 1)
        self.others = []
        for _ in LEARNING_RATES[:-1]:
            (line,) = left.plot(epochs, np.full(EPOCHS, np.nan), color="0.6", linewidth=1.0)
            self.others.append(line)
        self.others[0].set_label("the other learning rates (same units)")
        (self.curve,) = left.plot(
            epochs, np.full(EPOCHS, np.nan), color=OKABE_ITO["vermillion"], linewidth=2.4,
            label="this learning rate",
        )
        top = max(float(np.nanmax(c)) for c in self.curves.values())
        left.set_xlim(1, EPOCHS)
        left.set_ylim(0, min(1.05 * top, 1.6))
        label(left, " ", f"epoch (one pass over the {len(self.X_train)} training rows)", "training loss (log loss)")
        left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        self.left_title = left.title

        self.boundary = DecisionBoundary(
            right, self.X_train, self.y_train, self.extent, AXIS_LABELS, class_names=("benign", "malignant")
        )
        self.boundary.image.set_interpolation_stage("data")
        right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        # The surface is redrawn on every update, so the training points are redrawn on top of it.
        points = [c for c in right.collections if c is not self.boundary.rings]
        self.right_title = right.set_title(" ", fontsize=10)
        self.figure.suptitle(
            "A neural network on two nucleus features: units and learning rate are set by you, "
            "weights and biases are learned",
            fontsize=11,
        )
        self.animate(*self.others, self.curve, self.left_title, self.boundary.image, *points, self.right_title)
        self.hidden_units, self.learning_rate_init = 8, 0.01
        self.draw(hidden_units=self.hidden_units, learning_rate_init=self.learning_rate_init)

    def fit(self, hidden_units: int, learning_rate_init: float) -> Pipeline:
        """A scaled MLP with these hyperparameters, trained for ``EPOCHS`` epochs on the training split."""
        net = MLPClassifier(
            hidden_layer_sizes=(hidden_units,),
            learning_rate_init=learning_rate_init,
            batch_size=len(self.X_train),  # full batch: one gradient step per epoch
            max_iter=EPOCHS,
            n_iter_no_change=EPOCHS,  # never stop early: every curve is EPOCHS long
            random_state=self.random_state,
        )
        return make_pipeline(StandardScaler(), net).fit(self.X_train, self.y_train)

    def key(self, hidden_units: int, learning_rate_init: float) -> tuple[int, float]:
        """The slider grid point closest to these values (learning rate compared on a log scale)."""
        units = min(HIDDEN_UNITS, key=lambda u: abs(np.log2(u) - np.log2(hidden_units)))
        rate = min(LEARNING_RATES, key=lambda r: abs(np.log10(r) - np.log10(learning_rate_init)))
        return units, rate

    def model(self, hidden_units: int, learning_rate_init: float) -> Pipeline:
        """The fitted pipeline (scaler + MLP) behind this grid point."""
        return self.models[self.key(hidden_units, learning_rate_init)]

    def final_losses(self) -> pd.DataFrame:
        """Training loss after the last epoch, one row per hidden-unit count, one column per learning rate."""
        return pd.DataFrame(
            [[self.curves[(u, r)][-1] for r in LEARNING_RATES] for u in HIDDEN_UNITS],
            index=pd.Index(HIDDEN_UNITS, name="hidden units"),
            columns=pd.Index([f"{r:.2g}" for r in LEARNING_RATES], name="learning_rate_init"),
        )

    def controls(self) -> dict[str, widgets.ValueWidget]:
        common = {
            "continuous_update": True,
            "style": {"description_width": "initial"},
            "layout": widgets.Layout(width="420px"),
        }
        return {
            "hidden_units": widgets.SelectionSlider(
                options=list(HIDDEN_UNITS), value=self.hidden_units, description="hidden units", **common
            ),
            "learning_rate_init": widgets.SelectionSlider(
                options=[(f"{r:.2g}", r) for r in LEARNING_RATES],
                value=self.learning_rate_init,
                description="learning_rate_init",
                **common,
            ),
        }

    def draw(self, hidden_units: int, learning_rate_init: float) -> None:
        units, rate = self.key(hidden_units, learning_rate_init)
        self.hidden_units, self.learning_rate_init = units, rate
        others = [r for r in LEARNING_RATES if r != rate]
        for line, other in zip(self.others, others):
            line.set_ydata(self.curves[(units, other)])
        curve = self.curves[(units, rate)]
        self.curve.set_ydata(curve)
        # Short animated texts: text is the slowest thing to draw (the sliders show the values).
        self.left_title.set_text(f"final training loss {curve[-1]:.2f}")
        self.boundary.set_surface(self.surfaces[(units, rate)])
        self.right_title.set_text(
            f"{self.n_learned[(units, rate)]} weights and biases learned; "
            f"training accuracy {self.accuracies[(units, rate)]:.2f}"
        )
