"""Spaced review: competencies a learner missed come back as short drills, on an FSRS schedule.

Building blocks of issue 17, part 4. One card per competency tag, scheduled by the FSRS algorithm of
the ``fsrs`` library (py-fsrs, pinned in requirements.txt):

- every scored attempt of the mock exam reviews the card of each competency it tested
  (``ReviewDeck.record_attempt``): a share of the points below the pass mark is a lapse
  (``Rating.Again``: the card comes back ``STEP`` later, i.e. at the top of the next attempt or at the
  next ``make review``); a pass is ``Rating.Good`` (back in days); ``EASY_MARK`` or more is
  ``Rating.Easy`` (back later still);
- every drill reviews the card too (``ReviewDeck.record_drill``): all right is ``Good``, at least half
  right ``Hard``, less ``Again``.

Scheduling is deterministic (FSRS's random fuzz is off; everything random in the course is seeded) and
uses the time it is given (``now``): tests travel in time, they never sleep.

The schedule is the learner's, not the course's: a JSON file in their working copy (git ignores
``my-work/``), ``<work>/.exam/review-<learner>.json``, written atomically (a crash mid-write leaves
the old file). A file that cannot be read is renamed aside (``review-<learner>.json.corrupt-<time>``),
never deleted, and the learner is told so; a new schedule starts.

Drills (``make_drill``) are generated at run time from scikit-learn itself: the settings to label come
from ``get_params()`` and from the attributes ``fit`` sets (names ending in ``_``), counts come from a
model fitted on the spot, and so on, so each drill's check is computed, never a stored key. No drill
asks about a setting the mock exam's bank asks about (``exam_settings``), so drills never reveal the
exam's keys.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import warnings
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from fsrs import Card, Rating, Scheduler

from coursekit.exam_bank import CLASSIFY_SETTINGS, GRAY_SETTINGS
from coursekit.readiness import COMPETENCIES, PASS_MARK, AttemptScore
from coursekit.state import BOOKKEEPING_ATTRIBUTES, LABELS

STATE_FOLDER = Path(".exam")
FORMAT = 1
STEP = timedelta(minutes=10)    # a missed competency is due again this soon (learning and relearning step)
EASY_MARK = 0.9                 # an attempt share from which a competency's card is rated Easy

SCHEDULER = Scheduler(learning_steps=(STEP,), relearning_steps=(STEP,), enable_fuzzing=False)


def state_name(learner: str) -> Path:
    """A learner's schedule, inside their working copy: ``.exam/review-<learner>.json`` (one file per
    learner, so two learners sharing a working copy never count each other's attempts)."""
    return STATE_FOLDER / f"review-{learner}.json"


class AmbiguousSchedule(ValueError):
    """A working copy with several learners' schedules, and no learner named."""


def _working_copy(work: str | os.PathLike | None, cwd: Path | None) -> Path:
    if work is not None:
        return Path(work)
    here = Path.cwd() if cwd is None else Path(cwd)
    for folder in (here, *here.parents):
        if (folder / STATE_FOLDER).is_dir():
            return folder
    if re.match(r"\d\d_", here.name):
        return here.parent
    return Path("my-work")


def default_state(work: str | os.PathLike | None = None, cwd: Path | None = None, learner: str | None = None) -> Path:
    """Where a learner's schedule lives: ``<work>/.exam/review-<learner>.json``. Without ``work``: the
    working copy that holds the current folder (a notebook runs in ``<work>/NN_module/``), else
    ``my-work``. Without ``learner``: the one learner whose schedule is there (AmbiguousSchedule, naming
    them, when there are several; ``review-<nobody>`` when there is none yet)."""
    folder = _working_copy(work, cwd)
    if learner:
        return folder / state_name(learner)
    found = sorted((folder / STATE_FOLDER).glob("review-*.json"))
    if len(found) > 1:
        names = ", ".join(path.stem.removeprefix("review-") for path in found)
        raise AmbiguousSchedule(f"This working copy holds the review schedules of several learners ({names}): "
                               "say whose with LEARNER=<id> (`make review LEARNER=<id>`, "
                               "`review_widget(learner=\"<id>\")`).")
    return found[0] if found else folder / STATE_FOLDER / "review-nobody.json"


def _utc(when: datetime | None) -> datetime:
    when = datetime.now(UTC) if when is None else when
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("times must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return when.astimezone(UTC)


def attempt_rating(share: float) -> Rating:
    """How an attempt's share of a competency's points rates its card."""
    if share < PASS_MARK:
        return Rating.Again
    return Rating.Easy if share >= EASY_MARK else Rating.Good


def drill_rating(correct: int, total: int) -> Rating:
    """How a drill's result rates its card."""
    if total and correct >= total:
        return Rating.Good
    return Rating.Hard if total and correct / total >= 0.5 else Rating.Again


class ReviewStateError(ValueError):
    """The schedule file exists but is not a schedule."""


@dataclass
class ReviewDeck:
    """One learner's review schedule: a card per competency, and the attempts already counted."""

    path: Path
    cards: dict[str, Card] = field(default_factory=dict)
    attempts_seen: set[int] = field(default_factory=set)
    notice: str = ""            # for the learner: e.g. a corrupt file was set aside

    # -------------------------------------------------------------------------------- storage
    @classmethod
    def load(cls, path: str | os.PathLike | None = None, now: datetime | None = None) -> ReviewDeck:
        """The schedule at ``path`` (``default_state()`` when None); an empty one when there is none yet.
        A file that cannot be read is renamed aside and the deck's ``notice`` says where."""
        path = default_state() if path is None else Path(path)
        if not path.exists():
            return cls(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or raw.get("format") != FORMAT:
                raise ReviewStateError(f"not a review schedule of format {FORMAT}")
            cards = {str(k): Card.from_dict(v) for k, v in raw["cards"].items()}
            for card in cards.values():
                _utc(card.due)
            seen = {int(n) for n in raw.get("attempts_seen", [])}
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
            aside = _set_aside(path, _utc(now))
            return cls(path, notice=(
                f"Your review schedule {path} could not be read ({type(error).__name__}: {error}). It was kept as "
                f"{aside.name} in the same folder, and a new schedule starts now."))
        return cls(path, cards, seen)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "attempts_seen": sorted(self.attempts_seen),
                           "cards": {k: self.cards[k].to_dict() for k in sorted(self.cards)}}, indent=1)

    def save(self) -> Path:
        """Write the schedule atomically (a temporary file in the same folder, then a rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(self.to_json())
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return self.path

    # -------------------------------------------------------------------------------- reviews
    def review(self, competency: str, rating: Rating, when: datetime | None = None) -> Card:
        when = _utc(when)
        card = self.cards.get(competency) or Card(card_id=zlib.crc32(competency.encode()), due=when)
        self.cards[competency], _ = SCHEDULER.review_card(card, rating, review_datetime=when)
        return self.cards[competency]

    def record_attempt(self, score: AttemptScore) -> dict[str, Rating]:
        """Review every competency the attempt tested, at the time it was finished; an attempt already
        counted is not counted again (returns {} then)."""
        if score.attempt in self.attempts_seen:
            return {}
        ratings = {}
        for competency in score.competencies:
            share = score.share(competency)
            if share is not None:
                ratings[competency] = attempt_rating(share)
                self.review(competency, ratings[competency], score.finished_at)
        self.attempts_seen.add(score.attempt)
        return ratings

    def record_attempts(self, scores: Iterable[AttemptScore]) -> None:
        """Count the attempts not counted yet, oldest first."""
        for score in sorted(scores, key=lambda s: s.finished_at):
            self.record_attempt(score)

    def record_drill(self, competency: str, correct: int, total: int, now: datetime | None = None) -> Rating:
        rating = drill_rating(correct, total)
        self.review(competency, rating, now)
        return rating

    def due(self, now: datetime | None = None) -> list[str]:
        """Competencies due for review at ``now``, the most overdue first (course order breaks ties)."""
        now = _utc(now)
        order = {c: i for i, c in enumerate(COMPETENCIES)}
        due = [c for c, card in self.cards.items() if card.due <= now]
        return sorted(due, key=lambda c: (self.cards[c].due, order.get(c, len(order)), c))

    def next_due(self) -> dict[str, datetime]:
        return {c: card.due for c, card in sorted(self.cards.items(), key=lambda kv: kv[1].due)}


def _set_aside(path: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    path.rename(aside)
    return aside


# ------------------------------------------------------------------------------------------ drills
@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[str, ...] | None     # None: type a whole number
    answer: str
    why: str                            # shown after checking: how the answer follows

    def is_right(self, given: object) -> bool:
        text = str(given if given is not None else "").strip()
        if self.choices is None:
            try:
                return float(text) == float(self.answer)
            except ValueError:
                return False
        return text.casefold() == self.answer.casefold()


@dataclass(frozen=True)
class Drill:
    competency: str
    title: str
    questions: tuple[Question, ...]

    def check(self, answers: Sequence[object]) -> tuple[int, list[str]]:
        """(number right, one feedback line per question)."""
        lines, right = [], 0
        for number, (question, given) in enumerate(zip(self.questions, list(answers) + [None] * len(self.questions)),
                                                   start=1):
            if question.is_right(given):
                right += 1
                lines.append(f"✓ {number}. right: {question.answer}. {question.why}")
            else:
                lines.append(f"✗ {number}. you said {given!r}; it is {question.answer}. {question.why}")
        return right, lines


def exam_settings() -> set[tuple[str, str]]:
    """(estimator, name) of every setting the mock exam's bank asks about (``tree_.threshold`` counts as
    ``tree_``): drills never ask about these."""
    pairs = set()
    for settings in (*CLASSIFY_SETTINGS.values(), *GRAY_SETTINGS.values()):
        for setting in settings:
            estimator, _, rest = setting.partition(": ")
            name = re.match(r"[A-Za-z0-9_]*", rest).group(0)
            pairs.add((estimator.strip(), name))
    return pairs


# Constructor arguments that clearly change the learned model (the syllabus's hyperparameter column) and
# ones that only change speed, logging or memory (its "neither" column). Other arguments (optimisation
# settings, seeds, ...) are gray and never asked in a drill.
MODEL_CHANGING = frozenset({
    "alpha", "C", "gamma", "kernel", "max_depth", "min_samples_leaf", "min_samples_split", "n_neighbors",
    "weights", "l1_ratio", "hidden_layer_sizes", "learning_rate_init", "ccp_alpha", "criterion", "max_leaf_nodes",
    "epsilon", "activation", "p",
})
NOT_THERE = frozenset({("MLPRegressor", "epsilon")})  # same name, other meaning: Adam's numerical safeguard
SPEED_OR_LOGGING = frozenset({"n_jobs", "verbose", "copy_X", "cache_size"})

_POOL = {  # estimator name -> (module, regression?)
    "Ridge": ("sklearn.linear_model", True), "Lasso": ("sklearn.linear_model", True),
    "ElasticNet": ("sklearn.linear_model", True), "LinearRegression": ("sklearn.linear_model", True),
    "LogisticRegression": ("sklearn.linear_model", False), "RidgeClassifier": ("sklearn.linear_model", False),
    "KNeighborsClassifier": ("sklearn.neighbors", False), "KNeighborsRegressor": ("sklearn.neighbors", True),
    "DecisionTreeClassifier": ("sklearn.tree", False), "DecisionTreeRegressor": ("sklearn.tree", True),
    "SVC": ("sklearn.svm", False), "SVR": ("sklearn.svm", True), "MLPRegressor": ("sklearn.neural_network", True),
}


def _data(rng: np.random.Generator, n: int = 40, k: int = 4, regression: bool = True, targets: int = 1):
    X = rng.normal(size=(n, k))
    if regression:
        y = X @ rng.normal(size=(k, targets)) + 0.3 * rng.normal(size=(n, targets))
        return X, (y[:, 0] if targets == 1 else y)
    return X, (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)


def _fitted(name: str, rng: np.random.Generator, **params):
    import importlib

    module, regression = _POOL[name]
    model = getattr(importlib.import_module(module), name)(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(*_data(rng, regression=regression))
    return model


def learned_attributes(model) -> list[str]:
    """Attributes ``fit`` set from the data: public names ending in ``_``, bookkeeping and derived
    properties left out (the course's definition of a parameter)."""
    return sorted(name for name in vars(model) if name.endswith("_") and not name.startswith("_")
                  and name not in BOOKKEEPING_ATTRIBUTES and not isinstance(getattr(type(model), name, None), property))


def _classify_drill(rng: np.random.Generator) -> Drill:
    banned = exam_settings() | NOT_THERE
    while True:
        name = str(rng.choice(sorted(_POOL)))
        model = _fitted(name, rng)
        options = {
            "parameter": [a for a in learned_attributes(model) if (name, a) not in banned],
            "hyperparameter": [p for p in model.get_params() if p in MODEL_CHANGING and (name, p) not in banned],
            "neither": [p for p in model.get_params() if p in SPEED_OR_LOGGING and (name, p) not in banned],
        }
        kinds = [k for k in LABELS if options[k]]
        if len(kinds) >= 2:
            break
    picks = []
    for kind in rng.permutation(kinds)[:3]:
        picks.append((str(rng.choice(options[kind])), str(kind)))
    while len(picks) < 3:
        kind = str(rng.choice(kinds))
        left = [s for s in options[kind] if s not in {p for p, _ in picks}]
        if left:
            picks.append((str(rng.choice(left)), kind))
        elif all(not [s for s in options[k] if s not in {p for p, _ in picks}] for k in kinds):
            break
    why = {
        "parameter": "It ends in `_` and is set by fit from the training data.",
        "hyperparameter": "It is a constructor argument (get_params) that changes the learned model.",
        "neither": "It is a constructor argument that only changes speed, logging or memory, not the model.",
    }
    questions = tuple(Question(f"`{name}`: `{setting}`", LABELS, kind, why[kind]) for setting, kind in picks)
    return Drill("classify-settings", f"Label three settings of {name}", questions)


def _definitions_drill(rng: np.random.Generator) -> Drill:
    from sklearn.linear_model import Lasso, Ridge

    k, targets = int(rng.integers(3, 13)), int(rng.integers(1, 4))
    estimator = Ridge if rng.random() < 0.5 else Lasso
    model = estimator(alpha=0.1).fit(*_data(rng, k=k, targets=targets))
    count = int(np.size(model.coef_) + np.size(model.intercept_))
    question = Question(
        f"`{estimator.__name__}()` is fitted on {k} features to predict {targets} target"
        f"{'s' if targets > 1 else ''} at once. How many numbers does fit learn (`coef_` and `intercept_`)?",
        None, str(count), f"One weight per feature and target ({k} × {targets}) plus one intercept per target.")
    return Drill("definitions", "Count what fit learns", (question,))


def _regularisation_drill(rng: np.random.Generator) -> Drill:
    from sklearn.linear_model import Lasso, Ridge

    X, y = _data(rng, n=60, k=8)
    small, large = float(10.0 ** rng.integers(-2, 0)), float(10.0 ** rng.integers(1, 3))
    norms = {a: float(np.sum(Ridge(alpha=a).fit(X, y).coef_ ** 2)) for a in (small, large)}
    first, second = (small, large) if rng.random() < 0.5 else (large, small)
    smaller = min(norms, key=norms.get)
    weak, strong = float(rng.choice([0.001, 0.01])), float(rng.choice([0.5, 1.0, 2.0]))
    kept = {a: int(np.sum(Lasso(alpha=a).fit(X, y).coef_ != 0)) for a in (weak, strong)}
    change = ("fewer" if kept[strong] < kept[weak] else "more" if kept[strong] > kept[weak] else "the same number")
    return Drill("regularisation", "What a penalty does", (
        Question(f"Two ridge regressions on the same data: `alpha={first:g}` and `alpha={second:g}`. Which has the "
                 "smaller coefficients (sum of squares)?", (f"alpha={first:g}", f"alpha={second:g}"),
                 f"alpha={smaller:g}", "A larger alpha shrinks the learned weights more."),
        Question(f"A lasso on 8 features keeps {kept[weak]} non-zero coefficients with `alpha={weak:g}`. With "
                 f"`alpha={strong:g}` on the same data, how many does it keep?", ("fewer", "the same number", "more"),
                 change, f"Here it keeps {kept[strong]}: a larger alpha makes the L1 penalty set more weak "
                 "coefficients exactly to zero (never fewer, on the same data)."),
    ))


def _tuning_code_drill(rng: np.random.Generator) -> Drill:
    import importlib

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    name = str(rng.choice(sorted(n for n in _POOL if n != "LinearRegression")))
    model = getattr(importlib.import_module(_POOL[name][0]), name)()
    hyper = str(rng.choice(sorted(p for p in model.get_params() if p in MODEL_CHANGING and (name, p) not in NOT_THERE)))
    keys = [k for k in make_pipeline(StandardScaler(), model).get_params() if k.endswith("__" + hyper)]
    return Drill("tuning-code", "Name a hyperparameter inside a pipeline", (Question(
        f"In `make_pipeline(StandardScaler(), {name}())`, what key does a search's grid use for `{hyper}` of the "
        "model?", tuple(sorted({keys[0], hyper, f"{name.lower()}_{hyper}", f"{name.lower()}.{hyper}"})),
        keys[0], "make_pipeline names each step after its class in lower case; a step's setting is "
                 "`<step>__<setting>` (the pipeline's get_params() lists them)."),))


def _hygiene_drill(rng: np.random.Generator) -> Drill:
    scaler = str(rng.choice(["on all rows, before the split", "inside the pipeline that is cross-validated"]))
    chosen = str(rng.choice(["by cross-validation on the training rows", "by the best score on the test rows"]))
    honest = scaler.startswith("inside") and chosen.startswith("by cross")
    reasons = []
    if not scaler.startswith("inside"):
        reasons.append("the scaler learned its mean and scale from the test rows too")
    if not chosen.startswith("by cross"):
        reasons.append("the test rows chose the hyperparameter")
    return Drill("tuning-hygiene", "Is the test score honest?", (Question(
        f"A StandardScaler is fitted {scaler}; `C` of a logistic regression is chosen {chosen}; the test rows are "
        "then scored once. Is that test score an honest estimate for new patients?", ("yes", "no"),
        "yes" if honest else "no",
        "Nothing the model or the choice learned from saw the test rows." if honest else
        "Not honest: " + " and ".join(reasons) + "."),))


def _search_drill(rng: np.random.Generator) -> Drill:
    lo, hi, n = int(rng.integers(-4, -1)), int(rng.integers(1, 4)), int(rng.integers(5, 8))
    grids = {"log": np.logspace(lo, hi, n), "linear": np.linspace(10.0 ** lo, 10.0 ** hi, n)}
    first = str(rng.choice(["log", "linear"]))
    letters = {"A": grids[first], "B": grids["linear" if first == "log" else "log"]}
    ratios = {k: np.ptp(np.log(g[1:] / g[:-1])) < 1e-9 for k, g in letters.items()}
    log_letter = next(k for k, constant in ratios.items() if constant)
    start, factor = int(rng.integers(20, 90)), 3
    left = -(-start // factor ** 2)  # ceil(start / 9)
    text = "\n".join(f"- {k}: {', '.join(f'{v:.3g}' for v in g)}" for k, g in letters.items())
    return Drill("search-strategies", "Search spaces and budgets", (
        Question(f"Which grid searches `C` on a log scale?\n\n{text}", ("A", "B"), log_letter,
                 "On a log scale each value is the previous one times the same factor; a scale parameter's "
                 "effect changes with its order of magnitude."),
        Question(f"Successive halving starts with {start} candidates and keeps a third of them (rounded up) after "
                 "each round. How many candidates are left in round 3 (after two cuts)?", None, str(left),
                 f"ceil({start} / 3) then ceil of a third again: ceil({start} / 9) = {left}."),
    ))


def _gray_drill(rng: np.random.Generator) -> Drill:
    from sklearn.linear_model import ElasticNetCV, RidgeClassifierCV

    estimator, argument = (ElasticNetCV, "l1_ratio") if rng.random() < 0.5 else (RidgeClassifierCV, "alphas")
    X, y = _data(rng, n=60, regression=estimator is ElasticNetCV)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = estimator(cv=3).fit(X, y) if estimator is ElasticNetCV else estimator().fit(X, y)
    learned = "alpha_" if "alpha_" in learned_attributes(model) else sorted(learned_attributes(model))[0]
    assert argument in model.get_params()
    return Drill("gray-areas", "Chosen by you, or by fit?", (Question(
        f"`{estimator.__name__}` runs a search inside fit. Which of these did the data choose, during fit?",
        tuple(sorted((f"{argument} (constructor argument)", f"{learned} (set by fit)"))), f"{learned} (set by fit)",
        f"`{argument}` is set before fit (get_params); `{learned}` ends in `_`: the inner search chose it from "
        "the training data, so it is a fitted attribute (a hyperparameter chosen by a search becomes learned)."),))


DRILLS = {
    "definitions": _definitions_drill, "classify-settings": _classify_drill, "regularisation": _regularisation_drill,
    "tuning-code": _tuning_code_drill, "tuning-hygiene": _hygiene_drill, "search-strategies": _search_drill,
    "gray-areas": _gray_drill,
}


def make_drill(competency: str, seed: int = 0) -> Drill:
    """A one-to-two-minute drill for ``competency`` (a tag of ``COMPETENCIES``), seeded."""
    rng = np.random.default_rng([zlib.crc32(competency.encode()), seed])
    return DRILLS[competency](rng)


# ------------------------------------------------------------------------------------------ faces
def review_widget(path: str | os.PathLike | None = None, now=None, learner: str = ""):
    """The drills in the notebook: pick a competency (those due first), answer, press Check; the result
    reviews its card and the schedule is saved. ``learner``: whose schedule, when the working copy holds
    several; ``now``: a callable giving the time (tests)."""
    import ipywidgets as widgets

    clock = now if callable(now) else (lambda: _utc(now))
    path = default_state(learner=learner.strip().casefold() or None) if path is None else path
    deck = ReviewDeck.load(path, clock())
    due = deck.due(clock())
    header = widgets.HTML()
    choose = widgets.Dropdown(description="Competency", options=[
        (f"{c} (due)" if c in due else c, c) for c in [*due, *(c for c in COMPETENCIES if c not in due)]])
    new = widgets.Button(description="New drill")
    check = widgets.Button(description="Check", button_style="primary")
    area, feedback = widgets.VBox(), widgets.HTML()
    box = widgets.VBox([header, widgets.HBox([choose, new]), area, check, feedback])
    box.deck, box.current = deck, None

    def describe() -> None:
        now_due = deck.due(clock())
        notice = f"<p style='color:#D55E00'>{deck.notice}</p>" if deck.notice else ""
        header.value = notice + (f"<p><b>Due for review:</b> {', '.join(now_due)}</p>" if now_due
                                 else "<p>Nothing is due for review: practise any competency you like.</p>")

    def start(_=None) -> None:
        competency = choose.value
        seed = int(clock().timestamp()) % 100_000
        box.current = make_drill(competency, seed)
        rows = [widgets.HTML(f"<b>{box.current.title}</b>")]
        for question in box.current.questions:
            control = (widgets.Text(placeholder="a whole number") if question.choices is None
                       else widgets.RadioButtons(options=list(question.choices), value=None))
            rows += [widgets.HTML(_markdown(question.text)), control]
        area.children = rows
        feedback.value = ""

    def on_check(_=None) -> None:
        if box.current is None:
            return
        answers = [w.value for w in area.children if isinstance(w, widgets.Text | widgets.RadioButtons)]
        right, lines = box.current.check(answers)
        rating = deck.record_drill(box.current.competency, right, len(box.current.questions), clock())
        deck.save()
        card = deck.cards[box.current.competency]
        feedback.value = ("<br>".join(_markdown(line) for line in lines)
                          + f"<p>{right} of {len(lines)} right ({rating.name}); next review of "
                            f"{box.current.competency}: {card.due:%Y-%m-%d %H:%M} UTC.</p>")
        box.current = None
        describe()

    new.on_click(start)
    check.on_click(on_check)
    describe()
    start()
    return box


def _markdown(text: str) -> str:
    """Just enough Markdown for drill text: code spans, fenced code and line breaks."""
    import html

    parts = re.split(r"```python\n(.*?)\n```", text, flags=re.S)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<pre>{html.escape(part)}</pre>")
        else:
            out.append(re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(part)).replace("\n", "<br>"))
    return "".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.review", description=(
        "What is due for spaced review (drills on the competencies you missed in the mock exam)."))
    parser.add_argument("--work", default="my-work", help="your working copy (default: my-work)")
    parser.add_argument("--learner", default="", help="whose schedule (needed only when the working copy "
                                                          "holds several learners' schedules)")
    parser.add_argument("--state", help="the schedule file (default: <work>/.exam/review-<learner>.json)")
    parser.add_argument("--now", help="ISO time with a zone, instead of the clock (for testing)")
    parser.add_argument("--drill", action="store_true", help="run the due drills here, in the terminal")
    args = parser.parse_args(argv)
    now = _utc(datetime.fromisoformat(args.now)) if args.now else _utc(None)
    try:
        path = args.state or default_state(args.work, learner=args.learner.strip().casefold() or None)
    except AmbiguousSchedule as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    deck = ReviewDeck.load(path, now)
    if deck.notice:
        print(deck.notice)
    if not deck.cards:
        print("No review scheduled yet: competencies you miss in a scored mock exam attempt come back here.")
        return 0
    due = deck.due(now)
    print("Due for review: " + (", ".join(due) if due else "nothing right now."))
    for competency, when in deck.next_due().items():
        if competency not in due:
            print(f"  {competency}: next review {when:%Y-%m-%d %H:%M} UTC")
    if due and not args.drill:
        print("Run the drills: `make review ARGS=--drill`, or in a notebook: "
              "from coursekit.review import review_widget; review_widget()")
    if args.drill:
        for competency in due:
            drill = make_drill(competency, int(now.timestamp()) % 100_000)
            print(f"\n== {competency}: {drill.title}")
            answers = []
            for number, question in enumerate(drill.questions, start=1):
                print(f"{number}. {question.text}")
                if question.choices:
                    print("   choices: " + " | ".join(question.choices))
                answers.append(input("   your answer: "))
            right, lines = drill.check(answers)
            print("\n".join(lines))
            rating = deck.record_drill(competency, right, len(drill.questions), now)
            print(f"{right} of {len(lines)} right ({rating.name}); next review "
                  f"{deck.cards[competency].due:%Y-%m-%d %H:%M} UTC")
        deck.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
