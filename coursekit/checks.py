"""The learner's instant checks: small helpers for the tests inside the notebooks.

Visible tests use them to explain what is wrong in words a learner can act on; hidden tests use
``score_labels`` for partial credit. nbgrader reads the number a test cell ends with as its
score, so scores are returned as plain Python floats (a NumPy float prints as
``np.float64(...)``, which nbgrader cannot read).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from coursekit.state import LABELS


class NotYet(AssertionError):
    """Raised by a visible test when an answer is not right yet; the message says why."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: the learner needs the message, not
        # the test's internals. nbgrader still records an error named NotYet (0 points).
        return [f"\x1b[1;31m✗ Not yet:\x1b[0m {self}"]


def expect(condition: object, message: str) -> None:
    """Fail with ``message`` (a sentence that says what to change) unless ``condition`` holds."""
    if not condition:
        raise NotYet(message)


def passed(message: str) -> None:
    """Tell the learner what the visible test confirmed (hidden tests may check more)."""
    print(f"✓ {message}")


def normalise_label(value: object) -> str:
    """Compare labels case-insensitively and ignore surrounding spaces."""
    return str(value).strip().lower()


def check_labels(
    answers: object, items: Iterable[str], labels: Iterable[str] = LABELS
) -> None:
    """Visible check of a classification answer: a dict with exactly ``items`` as keys, each
    value one of ``labels``. Says which keys are missing, extra or mislabelled; never says
    whether a label is right."""
    items = list(items)
    labels = tuple(labels)
    expect(
        isinstance(answers, Mapping),
        f"Your answer should be a dict mapping each item to a label, not {type(answers).__name__}.",
    )
    missing = [item for item in items if item not in answers]
    extra = [key for key in answers if key not in items]
    expect(not missing, f"These items have no label yet: {', '.join(map(str, missing))}.")
    expect(
        not extra,
        f"These keys are not items of this exercise (check the spelling): {', '.join(map(str, extra))}.",
    )
    unknown = {k: v for k, v in answers.items() if normalise_label(v) not in labels}
    expect(
        not unknown,
        "Each label must be one of "
        + ", ".join(repr(label) for label in labels)
        + "; these are not: "
        + ", ".join(f"{k} → {v!r}" for k, v in unknown.items())
        + ".",
    )


def score_labels(
    answers: Mapping, key: Mapping[str, str | Iterable[str]], points: float
) -> float:
    """Partial credit for a classification: ``points`` times the share of items whose label is
    accepted. ``key`` maps each item to its label, or to a set of labels for a gray item.

    Prints which items were wrong, not what their right label is, so feedback does not
    turn into an answer key.
    """
    right = []
    wrong = []
    for item, accepted in key.items():
        accepted = {accepted} if isinstance(accepted, str) else set(accepted)
        given = normalise_label(answers.get(item, "")) if isinstance(answers, Mapping) else ""
        (right if given in {normalise_label(a) for a in accepted} else wrong).append(item)
    if wrong:
        print(f"{len(right)} of {len(key)} right. Look again at: {', '.join(wrong)}.")
    else:
        print(f"All {len(key)} right.")
    return float(round(points * len(right) / len(key), 2))


def keep_checks_off_stderr() -> None:
    """Show warnings and anything else written to stderr on stdout, for the rest of this kernel.

    nbgrader scores a test cell 0 when it writes anything to stderr, so a harmless warning raised
    inside a learner's function (scikit-learn's "X has feature names, but ... was fitted without
    feature names") or a text progress bar (``from tqdm import tqdm``) would zero a correct
    answer. Every module's locked setup cell calls this once; the learner still sees each warning,
    marked as one, and errors still fail tests as before (they are not stream output).
    """
    import sys
    import warnings

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"⚠ {category.__name__}: {message}", file=sys.stdout)

    warnings.showwarning = show
    sys.stderr = sys.stdout
