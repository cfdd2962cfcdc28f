"""Shared code for the course *Parameters versus hyperparameters*.

Learners import this package from the notebooks: it loads the shipped data, draws the
figures, runs the widget demos and gives feedback in visible tests. It never holds an answer
or an answer key (those live only in the instructors' hidden tests).
"""

from coursekit.data import load_breast_cancer, load_diabetes
from coursekit.state import BOOKKEEPING_ATTRIBUTES

__all__ = ["BOOKKEEPING_ATTRIBUTES", "load_breast_cancer", "load_diabetes"]
