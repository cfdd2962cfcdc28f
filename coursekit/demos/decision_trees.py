"""Module 04 demo: a depth slider. The knob is ``max_depth``; what moves is the learned tree
(its split features, thresholds and leaves) and the decision boundary those splits draw."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from sklearn.model_selection import cross_val_score
from sklearn.tree import DecisionTreeClassifier

from coursekit.data import cancer_training_split
from coursekit.demos.base import Demo
from coursekit.plots import OKABE_ITO, DecisionBoundary, ValidationCurve, grid_2d

FEATURES = ("worst_radius", "worst_concave_points")
AXIS_LABELS = ("worst radius (pixels)", "worst concave points (shape score)")
SHORT_NAMES = {"worst_radius": "radius", "worst_concave_points": "concave pts"}
DEPTHS = tuple(range(1, 9))
GRID_STEPS = 150
LABELLED_LEVELS = 3  # split labels are written on the top three levels; deeper splits are dots
CV_FOLDS = 5


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def tree_layout(tree: DecisionTreeClassifier) -> dict:
    """Positions of a fitted tree's nodes for a compact diagram, read from its ``tree_`` arrays.

    Leaves sit at evenly spaced x in [0, 1] (left to right as the tree orders them), each split
    halfway between its two children, and depth goes down the y axis. Returns the node
    coordinates, the parent-to-child edge segments, each node's depth, whether it is a leaf,
    its training-sample count and its share of malignant training samples.
    """
    t = tree.tree_
    left, right = t.children_left, t.children_right
    x = np.zeros(t.node_count)
    depth = np.zeros(t.node_count, dtype=int)
    order: list[int] = []

    def visit(node: int, level: int) -> None:
        depth[node] = level
        if left[node] == -1:
            order.append(node)
            return
        visit(left[node], level + 1)
        visit(right[node], level + 1)

    visit(0, 0)
    for rank, node in enumerate(order):
        x[node] = rank / max(len(order) - 1, 1) if len(order) > 1 else 0.5
    for node in sorted(range(t.node_count), key=lambda n: -depth[n]):
        if left[node] != -1:
            x[node] = (x[left[node]] + x[right[node]]) / 2
    y = -depth.astype(float)
    edges = [
        [(x[n], y[n]), (x[child], y[child])]
        for n in range(t.node_count)
        if left[n] != -1
        for child in (left[n], right[n])
    ]
    # value holds class fractions per node (scikit-learn >= 1.4); column 1 is malignant.
    malignant_share = t.value[:, 0, 1]
    return {
        "x": x,
        "y": y,
        "edges": edges,
        "depth": depth,
        "is_leaf": left == -1,
        "samples": t.n_node_samples.copy(),
        "malignant_share": malignant_share,
    }


class TreeDepthDemo(Demo):
    """A decision tree on two breast-cancer features, refit for each ``max_depth``.

    Everything is fitted once in ``__init__`` (one tree, one boundary grid and one
    cross-validation per depth, on the training split only), and each depth's frame is drawn
    once (blitted) and kept as PNG; an update swaps the precomputed data into the artists and
    returns the stored frame.
    """

    def __init__(self, random_state: int = 0):
        self.X_train, self.y_train = cancer_training_split(FEATURES, random_state)
        self.random_state = random_state
        self.feature_names = FEATURES
        grid, extent = grid_2d(self.X_train, steps=GRID_STEPS)
        self.grid = grid

        self.trees: dict[int, DecisionTreeClassifier] = {}
        self.surfaces: dict[int, np.ndarray] = {}
        self.layouts: dict[int, dict] = {}
        self.train_accuracy: dict[int, float] = {}
        self.cv_accuracy: dict[int, float] = {}
        for depth in DEPTHS:
            tree = DecisionTreeClassifier(max_depth=depth, random_state=random_state)
            self.cv_accuracy[depth] = float(
                cross_val_score(tree, self.X_train, self.y_train, cv=CV_FOLDS).mean()
            )
            tree.fit(self.X_train, self.y_train)
            self.trees[depth] = tree
            self.surfaces[depth] = tree.predict(grid).reshape(GRID_STEPS, GRID_STEPS).astype(float)
            self.layouts[depth] = tree_layout(tree)
            self.train_accuracy[depth] = float(tree.score(self.X_train, self.y_train))

        self._build_figure(extent)
        # The slider has eight positions: draw each frame once now (blitted) and keep its PNG,
        # so moving the slider only swaps artist data and returns a stored image.
        self._frames: dict[int, bytes] = {}
        for depth in DEPTHS:
            self.update(max_depth=depth)
        self.max_depth = 2
        self.draw(max_depth=self.max_depth)

    def _build_figure(self, extent) -> None:
        self.figure = Figure(figsize=(10.0, 7.4), dpi=80)
        FigureCanvasAgg(self.figure)
        spec = self.figure.add_gridspec(2, 2, height_ratios=(1.0, 1.05))
        tree_ax = self.figure.add_subplot(spec[0, :])
        boundary_ax = self.figure.add_subplot(spec[1, 0])
        curve_ax = self.figure.add_subplot(spec[1, 1])
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.08, top=0.9, wspace=0.28, hspace=0.32)

        # The tree diagram: fixed limits wide enough for the deepest tree, so a shallow tree
        # visibly occupies only the top rows.
        tree_ax.set_xlim(-0.04, 1.04)
        box = tree_ax.get_position()  # leave a strip on the right for the legend
        tree_ax.set_position([box.x0, box.y0, box.width * 0.8, box.height])
        tree_ax.set_ylim(-(max(DEPTHS) + 0.6), 0.75)
        tree_ax.set_yticks(-np.arange(max(DEPTHS) + 1))
        tree_ax.set_yticklabels([str(d) for d in range(max(DEPTHS) + 1)])
        tree_ax.set_xticks([])
        tree_ax.set_ylabel("depth (levels below the root)")
        for spine in ("top", "right", "bottom"):
            tree_ax.spines[spine].set_visible(False)
        tree_ax.grid(True, axis="y", alpha=0.25)
        self.edges = LineCollection([], colors=OKABE_ITO["black"], linewidths=0.8, alpha=0.6)
        tree_ax.add_collection(self.edges)
        self.nodes = tree_ax.scatter([], [], s=[], zorder=3, edgecolors=OKABE_ITO["black"], linewidths=0.6)
        self.split_labels = [
            tree_ax.text(0, 0, "", fontsize=7.5, ha="center", va="bottom", zorder=4,
                         bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
            for _ in range(2**LABELLED_LEVELS - 1)
        ]
        self.tree_title = tree_ax.set_title(" ", fontsize=10)
        tree_ax.scatter([], [], s=40, c=OKABE_ITO["sky"], edgecolors=OKABE_ITO["black"], label="leaf predicting benign")
        tree_ax.scatter([], [], s=40, c=OKABE_ITO["orange"], edgecolors=OKABE_ITO["black"],
                        label="leaf predicting\nmalignant")
        tree_ax.scatter([], [], s=40, c="white", edgecolors=OKABE_ITO["black"],
                        label="split: ≤ threshold\ngoes to the left branch")
        tree_ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                       title="marker area ∝ training\nsamples in the node", title_fontsize=8)
        self.tree_ax = tree_ax

        self.boundary = DecisionBoundary(
            boundary_ax, self.X_train, self.y_train, extent, AXIS_LABELS, class_names=("benign", "malignant")
        )
        boundary_ax.set_xlabel(AXIS_LABELS[0])
        boundary_ax.set_ylabel(AXIS_LABELS[1], fontsize=9)
        boundary_ax.grid(False)
        self.boundary_title = boundary_ax.set_title(" ", fontsize=10)

        depths = list(DEPTHS)
        self.curve = ValidationCurve(
            curve_ax, depths,
            [self.train_accuracy[d] for d in depths],
            [self.cv_accuracy[d] for d in depths],
            hyperparameter="max_depth", score_name="accuracy", log_x=False,
        )
        curve_ax.set_title(f"Accuracy: training vs {CV_FOLDS}-fold CV (training split)", fontsize=10)
        curve_ax.grid(True, alpha=0.3)
        curve_ax.set_xticks(depths)
        curve_ax.lines[1].set_label(f"validation ({CV_FOLDS}-fold CV)")
        curve_ax.legend(fontsize=8, loc="lower right")
        self.figure.suptitle(
            "Hyperparameter max_depth (set by you) vs the splits and leaves fit learns: "
            "decision tree on two features",
            fontsize=11,
        )
        # Redrawn on every update, in this order: the boundary image first, then the data points
        # and legend that sit on top of it, then the tree diagram and the titles.
        legend = boundary_ax.get_legend()
        points = [c for c in boundary_ax.collections if c is not self.boundary.rings]
        self.animate(
            self.boundary.image, *points, legend, self.boundary_title,
            self.edges, self.nodes, *self.split_labels, self.tree_title, self.curve.marker.line,
        )

    def render(self) -> bytes:
        if self.max_depth not in self._frames:
            self._frames[self.max_depth] = super().render()
        return self._frames[self.max_depth]

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "max_depth": widgets.IntSlider(
                value=self.max_depth,
                min=min(DEPTHS),
                max=max(DEPTHS),
                step=1,
                description="max_depth (knob)",
                continuous_update=True,
                readout=True,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="460px"),
            )
        }

    def learned_counts(self, max_depth: int) -> tuple[int, int, int]:
        """(splits, leaves, depth reached) of the tree learned at this max_depth."""
        tree = self.trees[max_depth]
        n_leaves = int(tree.get_n_leaves())
        return tree.tree_.node_count - n_leaves, n_leaves, int(tree.get_depth())

    def draw(self, max_depth: int) -> None:
        max_depth = int(min(max(round(max_depth), min(DEPTHS)), max(DEPTHS)))
        self.max_depth = max_depth
        tree = self.trees[max_depth]
        layout = self.layouts[max_depth]
        leaf = layout["is_leaf"]

        self.edges.set_segments(layout["edges"])
        self.nodes.set_offsets(np.column_stack([layout["x"], layout["y"]]))
        self.nodes.set_sizes(12 + 110 * np.sqrt(layout["samples"] / layout["samples"][0]))
        colours = np.where(
            leaf,
            np.where(layout["malignant_share"] > 0.5, OKABE_ITO["orange"], OKABE_ITO["sky"]),
            "white",
        )
        self.nodes.set_facecolors(list(colours))

        splits = [n for n in range(len(leaf)) if not leaf[n] and layout["depth"][n] < LABELLED_LEVELS]
        for text, node in zip(self.split_labels, splits + [None] * len(self.split_labels), strict=False):
            if node is None:
                text.set_text("")
                continue
            feature = FEATURES[tree.tree_.feature[node]]
            text.set_text(f"{SHORT_NAMES[feature]} ≤ {tree.tree_.threshold[node]:.3g}")
            text.set_position((layout["x"][node], layout["y"][node] + 0.18))

        n_splits, n_leaves, reached = self.learned_counts(max_depth)
        cap = f"max_depth = {max_depth} (set)" + (f", fit stopped at depth {reached}" if reached < max_depth else "")
        self.tree_title.set_text(
            f"{cap}  →  learned: {_count(n_splits, 'split')} (a feature and a threshold each), "
            f"{_count(n_leaves, 'leaf', 'leaves')}"
        )
        self.boundary.set_surface(self.surfaces[max_depth])
        self.boundary_title.set_text(f"Boundary drawn by {_count(n_splits, 'learned threshold')}")
        self.curve.set_current(max_depth)


__all__ = ["FEATURES", "TreeDepthDemo", "tree_layout"]
