"""One demo object per widget: state, a headless ``update(**values)``, and ``widget()``.

Every demo class is exported here (``from coursekit.demos import ShrinkageDemo``); a module's
helpers stay in its own submodule. Importing them all costs about 35 ms over importing one.
"""

from coursekit.demos.base import Demo
from coursekit.demos.blurred_line import HypergradientDemo, WeightSearchDemo
from coursekit.demos.decision_trees import TreeDepthDemo
from coursekit.demos.knn import NearestNeighboursDemo
from coursekit.demos.linear_models import ShrinkageDemo
from coursekit.demos.logistic_regression import LogisticBoundaryDemo
from coursekit.demos.neural_networks import MLPTrainingDemo
from coursekit.demos.orientation import RadioKnobDemo
from coursekit.demos.svm import SVMDemo
from coursekit.demos.tuning_strategies import TuningRaceDemo

__all__ = [
    "Demo",
    "HypergradientDemo",
    "LogisticBoundaryDemo",
    "MLPTrainingDemo",
    "NearestNeighboursDemo",
    "RadioKnobDemo",
    "SVMDemo",
    "ShrinkageDemo",
    "TreeDepthDemo",
    "TuningRaceDemo",
    "WeightSearchDemo",
]
