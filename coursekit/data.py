"""Loaders for the tables shipped in ``data/`` (nothing is fetched at run time)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _read(name: str) -> pd.DataFrame:
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. The course ships its data in data/; restore it with "
            "`git checkout -- data/` from the course folder."
        )
    return pd.read_csv(path)


def load_diabetes() -> tuple[pd.DataFrame, pd.Series]:
    """Diabetes progression: 442 patients, 10 baseline measurements in clinical units.

    Returns ``(X, y)``: ``X`` has columns age, sex, bmi, bp, s1..s6 (see data/diabetes.md),
    ``y`` is ``progression`` one year after baseline.
    """
    frame = _read("diabetes.csv")
    return frame.drop(columns="progression"), frame["progression"]


def load_breast_cancer() -> tuple[pd.DataFrame, pd.Series]:
    """Wisconsin diagnostic breast cancer: 569 aspirates, 30 nucleus features.

    Returns ``(X, y)`` with ``y = malignant`` (1 = malignant, the positive class; see
    data/breast_cancer.md).
    """
    frame = _read("breast_cancer.csv")
    return frame.drop(columns="malignant"), frame["malignant"]


def diabetes_split(
    features=None, *, test_size: float = 0.25, random_state: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """The diabetes table split as ``train_test_split`` would: ``(X_train, X_held_out, y_train,
    y_held_out)``, with ``features`` only (all ten by default).

    ``test_size=0.25`` is the notebooks' test split; module 08 holds out 0.3 as its validation
    split. The rows depend only on ``test_size`` and ``random_state``, not on ``features``.
    """
    X, y = load_diabetes()
    if features is not None:
        X = X[list(features)]
    return tuple(train_test_split(X, y, test_size=test_size, random_state=random_state))


def cancer_training_split(features, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The demos' training rows of the breast-cancer table: ``features`` only, as arrays.

    The same stratified 75/25 split the notebooks make (``test_size=0.25``), so a demo never
    shows or fits the held-out quarter.
    """
    X, y = load_breast_cancer()
    X_train, _, y_train, _ = train_test_split(
        X[list(features)], y, test_size=0.25, stratify=y, random_state=random_state
    )
    return X_train.to_numpy(), y_train.to_numpy()
