"""Module 07 demo: grid search, random search and Bayesian optimisation on one budget.

All three strategies tune the same model on the same data: RBF kernel ridge regression of
diabetes progression (``make_kernel_ridge``), two scale hyperparameters (``alpha`` and ``gamma``,
searched in log10 units), each configuration scored by 3-fold cross-validated R² on the
training split only. Every strategy's whole run is computed once per process (cached); the
budget slider only chooses how much of each run to show, so an update is a redraw.

The map behind the points is the cross-validated R² over the whole search space: it would cost
over a thousand model fits with a plain search, and is shown only to see where each strategy
looked. (Kernel ridge has a trick: for one gamma, one eigendecomposition per fold gives every
alpha at once, which is why the map is affordable here.)

The Bayesian optimiser uses the *upper confidence bound* acquisition (surrogate mean plus two
standard deviations). The notebook asks learners to write the expected-improvement version, so
that one is deliberately not implemented in this package.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.ticker import FuncFormatter, MultipleLocator
from scipy.linalg import cho_factor, cho_solve
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics import r2_score
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from coursekit.data import diabetes_split
from coursekit.demos.base import Demo, budget_slider
from coursekit.plots import CYCLE, SearchTrace, label, new_figure

# The search space, in log10 units: alpha from 0.001 to 1000, gamma from 0.0001 to 100.
LOG10_BOUNDS = {"alpha": (-3.0, 3.0), "gamma": (-4.0, 2.0)}
MAX_BUDGET = 25
N_INITIAL = 3  # Bayesian optimisation starts from the first three random-search points
UCB_KAPPA = 2.0
LATTICE_STEP = 0.2  # spacing (in decades) of the map and of the Bayesian optimiser's candidates
STRATEGIES = ("grid search", "random search", "Bayesian optimisation")
COLOURS = dict(zip(STRATEGIES, CYCLE[:3]))
MARKERS = dict(zip(STRATEGIES, ("s", "o", "^")))
R2_FLOOR = -0.3  # the figures clip R² below this (a model worse than predicting the mean)


def make_kernel_ridge(**hyperparameters) -> TransformedTargetRegressor:
    """RBF kernel ridge regression on standardised measurements.

    Kernel ridge has no intercept, so the outcome is standardised too, on the training rows, by
    ``TransformedTargetRegressor``: both scalers learn their means from the data they are fitted
    on. The two scale hyperparameters are ``regressor__kernelridge__alpha`` and
    ``regressor__kernelridge__gamma``.
    """
    return TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), KernelRidge(kernel="rbf", **hyperparameters)),
        transformer=StandardScaler(),
    )


class QuietGaussianProcess(GaussianProcessRegressor):
    """A ``GaussianProcessRegressor`` whose ``fit`` does not warn when a kernel hyperparameter
    ends at one of its bounds (common with a handful of noisy observations, and harmless here)."""

    def fit(self, X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return super().fit(X, y)


def make_surrogate() -> GaussianProcessRegressor:
    """The Gaussian-process surrogate of module 07, for hyperparameters in log10 units.

    A constant times a Matérn 5/2 kernel (smooth, but less so than RBF), plus white noise because
    cross-validated scores are noisy themselves. Targets are normalised; the kernel's own
    hyperparameters are fitted by maximising the marginal likelihood from one fixed start, so
    the fit is deterministic.
    """
    kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
        length_scale=1.0, length_scale_bounds=(0.5, 10.0), nu=2.5
    ) + WhiteKernel(noise_level=1e-2, noise_level_bounds=(1e-6, 1.0))
    return QuietGaussianProcess(kernel=kernel, normalize_y=True, random_state=0)


class KernelRidgeCV:
    """3-fold cross-validated R² of ``make_kernel_ridge(alpha=10**a, gamma=10**g)`` on the
    training split (``KFold(3, shuffle=True, random_state=0)``), computed fast.

    Each fold's scalers are fitted on that fold's training rows, exactly as the pipeline does
    inside ``cross_val_score``; the squared distances between scaled rows are kept, so a
    configuration costs three small Cholesky solves of (K + alpha I) c = y, the system
    ``KernelRidge`` solves. The tests check the result against ``cross_val_score``.
    """

    def __init__(self):
        X_train, _, y_train, _ = diabetes_split()
        self.X_train, self.y_train = X_train, y_train
        X_fit_all, y_fit_all = X_train.to_numpy(), y_train.to_numpy().astype(float)
        self.cv = KFold(n_splits=3, shuffle=True, random_state=0)
        self.folds = []
        for fit_rows, val_rows in self.cv.split(X_fit_all):
            scaler = StandardScaler().fit(X_fit_all[fit_rows])
            fit_x, val_x = scaler.transform(X_fit_all[fit_rows]), scaler.transform(X_fit_all[val_rows])
            mean, std = y_fit_all[fit_rows].mean(), y_fit_all[fit_rows].std()
            self.folds.append((
                euclidean_distances(fit_x, fit_x, squared=True), (y_fit_all[fit_rows] - mean) / std,
                euclidean_distances(val_x, fit_x, squared=True), y_fit_all[val_rows], mean, std,
            ))
        self.cache: dict[tuple[float, float], float] = {}

    def __call__(self, log10_alpha: float, log10_gamma: float) -> float:
        key = (round(float(log10_alpha), 9), round(float(log10_gamma), 9))
        if key not in self.cache:
            alpha, gamma = 10 ** key[0], 10 ** key[1]
            scores = []
            with threadpool_limits(1):  # small matrices: one thread is fastest, and fair to a busy machine
                for fit_d2, fit_z, val_d2, val_y, mean, std in self.folds:
                    system = np.exp(-gamma * fit_d2)
                    system.flat[:: len(system) + 1] += alpha
                    dual_coef = cho_solve(cho_factor(system), fit_z)
                    scores.append(r2_score(val_y, mean + std * (np.exp(-gamma * val_d2) @ dual_coef)))
            self.cache[key] = float(np.mean(scores))
        return self.cache[key]

    def landscape(self, log10_alphas: np.ndarray, log10_gammas: np.ndarray) -> np.ndarray:
        """CV R² for every (gamma, alpha) pair: rows follow ``log10_gammas``, columns ``log10_alphas``."""
        alphas = 10 ** np.asarray(log10_alphas)[None, :]
        surface = np.zeros((len(log10_gammas), len(log10_alphas)))
        with threadpool_limits(1):
            for fold in self.folds:
                self._add_fold(fold, alphas, log10_gammas, surface)
        return surface / len(self.folds)

    @staticmethod
    def _add_fold(fold, alphas: np.ndarray, log10_gammas: np.ndarray, surface: np.ndarray) -> None:
        """Add one fold's R² for every (gamma, alpha) pair to ``surface``: for one gamma, one
        eigendecomposition of the kernel matrix gives the solution for every alpha."""
        fit_d2, fit_z, val_d2, val_y, mean, std = fold
        total = ((val_y - val_y.mean()) ** 2).sum()
        for row, log10_gamma in enumerate(log10_gammas):
            gamma = 10**log10_gamma
            eigenvalues, vectors = np.linalg.eigh(np.exp(-gamma * fit_d2))
            projected = np.exp(-gamma * val_d2) @ vectors  # (validation rows, training rows)
            weights = (vectors.T @ fit_z)[:, None] / (eigenvalues[:, None] + alphas)
            predictions = mean + std * (projected @ weights)  # one column per alpha
            surface[row] += 1 - ((val_y[:, None] - predictions) ** 2).sum(axis=0) / total


def square_grid(k: int) -> np.ndarray:
    """A k × k grid in log10 units, ends included, as ``np.logspace(low, high, k)`` makes it."""
    axes = [np.linspace(low, high, k) for low, high in LOG10_BOUNDS.values()]
    return np.array([(a, g) for a in axes[0] for g in axes[1]])


def random_points(n: int, random_state: int) -> np.ndarray:
    """n points drawn log-uniformly, that is uniformly in log10 units."""
    rng = np.random.default_rng(random_state)
    lows, highs = np.array(list(LOG10_BOUNDS.values())).T
    return lows + rng.random((n, 2)) * (highs - lows)


def lattice_axes() -> list[np.ndarray]:
    return [np.arange(low, high + LATTICE_STEP / 2, LATTICE_STEP) for low, high in LOG10_BOUNDS.values()]


@lru_cache(maxsize=1)
def _scorer() -> KernelRidgeCV:
    return KernelRidgeCV()


@lru_cache(maxsize=4)
def run_race(max_budget: int = MAX_BUDGET, random_state: int = 0) -> dict:
    """Each strategy's run on the same problem, computed once per process.

    Returns ``{strategy: {"points": [...], "best": array}}`` where ``points[b - 1]`` are the
    configurations (log10 units) evaluated with a budget of ``b`` and ``best[b - 1]`` the best CV
    R² among them, plus the scorer and the map. Grid search at budget b evaluates the largest
    square grid that fits (k × k, k² ≤ b): more budget means a different grid, not more points.
    """
    score = _scorer()
    race: dict = {"scorer": score}
    budgets = range(1, max_budget + 1)
    with threadpool_limits(1):  # small matrices: one thread is fastest, and fair to a busy machine
        # A grid needs two values per hyperparameter: below a budget of 4 there is no grid yet.
        grids = {k: square_grid(k) for k in range(2, int(np.sqrt(max_budget)) + 1)}
        race["grid search"] = {"points": [grids.get(int(np.sqrt(b)), np.empty((0, 2))) for b in budgets]}

        points = random_points(max_budget, random_state)
        race["random search"] = {"points": [points[:b] for b in budgets]}

        axes = lattice_axes()
        candidates = np.array([(a, g) for a in axes[0] for g in axes[1]])
        tried = list(points[:N_INITIAL])
        while len(tried) < max_budget:
            surrogate = make_surrogate().fit(np.array(tried), [score(*p) for p in tried])
            mean, std = surrogate.predict(candidates, return_std=True)
            bound = mean + UCB_KAPPA * std
            seen = (np.abs(candidates[:, None, :] - np.array(tried)[None]).max(axis=2) < 1e-9).any(axis=1)
            bound[seen] = -np.inf
            tried.append(candidates[int(np.argmax(bound))])
        tried = np.array(tried)
        race["Bayesian optimisation"] = {"points": [tried[:b] for b in budgets]}

        for name in STRATEGIES:
            race[name]["best"] = np.array(
                [max((score(*p) for p in pts), default=np.nan) for pts in race[name]["points"]]
            )
        race["map"] = (axes[0], axes[1], score.landscape(*axes))
    return race


def _power_of_ten(value: float, _position) -> str:
    return f"$10^{{{value:.0f}}}$"


class TuningRaceDemo(Demo):
    """Best CV R² within the budget for three strategies (left) and where each looked (right)."""

    def __init__(self, max_budget: int = MAX_BUDGET, random_state: int = 0):
        self.max_budget = max_budget
        self.race = run_race(max_budget, random_state)
        self.scorer = self.race["scorer"]
        self.traces = {name: self.race[name]["best"] for name in STRATEGIES}

        self.figure, (left, right) = new_figure(ncols=2, width=11.0, height=4.4)
        self.figure.subplots_adjust(left=0.07, right=0.93, bottom=0.13, top=0.82, wspace=0.25)
        self.trace = SearchTrace(left, self.traces, score_name="CV R² (higher is better)")
        log10_alphas, log10_gammas, surface = self.race["map"]
        left.axhline(surface.max(), color="grey", linestyle=":", linewidth=1.2,
                     label=f"best on the map ({surface.size} configurations)")
        left.set_title("Best CV R² within the budget", fontsize=10)
        left.set_xlim(0.5, max_budget + 0.5)
        lowest = min(np.nanmin(trace) for trace in self.traces.values())
        left.set_ylim(max(lowest, R2_FLOOR) - 0.03, surface.max() + 0.03)
        left.legend(fontsize=8, loc="lower right")

        half = LATTICE_STEP / 2
        extent = (log10_alphas[0] - half, log10_alphas[-1] + half, log10_gammas[0] - half, log10_gammas[-1] + half)
        # Light greys only (white = poor, mid grey = good), so every marker stays visible on the map.
        greys = ListedColormap(colormaps["Greys"](np.linspace(0.0, 0.6, 256)))
        image = right.imshow(
            np.clip(surface, R2_FLOOR, None), origin="lower", aspect="auto", cmap=greys, extent=extent,
            interpolation="nearest", vmin=R2_FLOOR, vmax=surface.max(),
        )
        colourbar = self.figure.colorbar(image, ax=right, fraction=0.05, pad=0.02)
        colourbar.set_label(f"CV R² of every configuration (clipped at {R2_FLOOR})", fontsize=8)
        self.clouds, self.bests = {}, {}
        for name in STRATEGIES:
            self.clouds[name] = right.scatter(
                [], [], s=36, marker=MARKERS[name], color=COLOURS[name], edgecolors="black",
                linewidths=0.7, label=name, zorder=3, clip_on=False,
            )
            (self.bests[name],) = right.plot(
                [], [], marker="*", markersize=18, color=COLOURS[name], markeredgecolor="black",
                linestyle="none", zorder=4, clip_on=False,
            )
        right.set_xlim(extent[0], extent[1])
        right.set_ylim(extent[2], extent[3])
        for axis in (right.xaxis, right.yaxis):
            axis.set_major_locator(MultipleLocator(1))
            axis.set_major_formatter(FuncFormatter(_power_of_ten))
        right.grid(False)
        label(right, "Where each strategy looked (★ = its best so far)", "alpha (shrinkage, log scale)",
              "gamma (1 / squared standard unit, log scale)")
        self.figure.legend(
            handles=list(self.clouds.values()), loc="upper right", ncol=3, fontsize=8,
            bbox_to_anchor=(0.93, 0.935), frameon=False,
        )
        self.title = self.figure.suptitle(" ", fontsize=11, x=0.5, y=0.985)
        self.animate(self.trace.marker.line, *self.clouds.values(), *self.bests.values(), self.title)
        self.budget = 10  # a 3 x 3 grid, ten random and ten Bayesian configurations: something to compare
        self.draw(budget=self.budget)

    def seen(self, strategy: str, budget: int) -> tuple[np.ndarray, np.ndarray]:
        """Configurations (log10 alpha, log10 gamma) a strategy evaluated within ``budget``, and their CV R²."""
        points = self.race[strategy]["points"][budget - 1]
        return points, np.array([self.scorer(*p) for p in points])

    def controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "budget": budget_slider("budget (configurations evaluated)", self.budget, self.max_budget, width="520px")
        }

    def draw(self, budget: int) -> None:
        budget = int(min(max(budget, 1), self.max_budget))
        self.budget = budget
        self.trace.set_current(budget)
        summary = []
        for name in STRATEGIES:
            points, scores = self.seen(name, budget)
            self.clouds[name].set_offsets(points)
            if len(points):
                best = points[int(np.argmax(scores))]
                self.bests[name].set_data([best[0]], [best[1]])
                summary.append(f"{name.split()[0]} {scores.max():.3f}")
            else:  # no grid yet: it needs two values per hyperparameter
                self.bests[name].set_data([], [])
                summary.append(f"{name.split()[0]} (none yet)")
        self.title.set_text(f"Budget = {budget} configurations  →  best CV R²: " + " · ".join(summary))
