"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_random_search_loop": [
        # The plain text bar (from tqdm import tqdm, which writes to stderr), rng.choice among the
        # options, np.mean of the fold scores, the best pair found by a running comparison.
        '''
from tqdm import tqdm


def random_search(model, space, X, y, n_iter, random_state=0, cv=3, scoring="r2"):
    rng = np.random.default_rng(random_state)
    history = []
    best_params, best_score = None, -np.inf
    for _ in tqdm(range(n_iter), desc="random search"):
        params = {}
        for name, options in space.items():
            if isinstance(options, tuple):
                params[name] = float(np.exp(rng.uniform(np.log(options[0]), np.log(options[1]))))
            else:
                params[name] = options[rng.choice(len(options))]
        score = float(np.mean(cross_val_score(clone(model).set_params(**params), X, y, cv=cv, scoring=scoring)))
        history.append((params, score))
        if score > best_score:
            best_params, best_score = params, score
    return best_params, best_score, history
''',
        # SciPy's loguniform drawing from the seeded generator, every configuration drawn before any
        # is scored, the best pair by sorting.
        '''
def random_search(model, space, X, y, n_iter, random_state=0, cv=3, scoring="r2"):
    rng = np.random.default_rng(random_state)
    configurations = [
        {
            name: float(loguniform(*options).rvs(random_state=rng)) if isinstance(options, tuple)
            else options[int(rng.integers(0, len(options)))]
            for name, options in space.items()
        }
        for _ in range(n_iter)
    ]
    history = [
        (params, cross_val_score(clone(model).set_params(**params), X, y, cv=cv, scoring=scoring).mean())
        for params in configurations
    ]
    best_params, best_score = sorted(history, key=lambda pair: pair[1], reverse=True)[0]
    return best_params, best_score, history
''',
    ],
    "ex_expected_improvement": [
        # np.divide with where=, inside np.errstate.
        '''
def expected_improvement(mu, sigma, best, xi=0.0):
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    improvement = mu - best - xi
    z = np.divide(improvement, sigma, out=np.zeros_like(improvement), where=sigma > 0)
    with np.errstate(all="ignore"):
        ei = improvement * norm.cdf(z) + sigma * norm.pdf(z)
    ei[sigma <= 0] = np.clip(improvement[sigma <= 0], 0.0, None)
    return ei
''',
        # One candidate at a time with math.erf, no SciPy.
        '''
import math


def expected_improvement(mu, sigma, best, xi=0.0):
    values = []
    for m, s in zip(np.ravel(mu), np.ravel(sigma)):
        gain = float(m) - best - xi
        if s <= 0:
            values.append(max(gain, 0.0))
            continue
        z = gain / s
        cdf = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
        pdf = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        values.append(gain * cdf + s * pdf)
    return np.array(values).reshape(np.shape(mu))
''',
    ],
    "ex_bayes_opt_step": [
        # Keyword return_std, the best observed score with max(), the first maximiser by list.index.
        '''
def propose_next(observed, scores, candidates, acquisition=expected_improvement):
    gp = make_surrogate()
    gp.fit(np.asarray(observed), np.asarray(scores))
    mean, std = gp.predict(np.asarray(candidates), return_std=True)
    worth = list(acquisition(mean, std, max(scores)))
    return np.asarray(candidates)[worth.index(max(worth))]
''',
        # np.nanargmax and a row view with np.take.
        '''
def propose_next(observed, scores, candidates, acquisition=expected_improvement):
    model = make_surrogate().fit(observed, scores)
    prediction = model.predict(candidates, return_std=True)
    values = np.asarray(acquisition(prediction[0], prediction[1], float(np.asarray(scores).max())))
    return np.take(candidates, int(np.nanargmax(values)), axis=0)
''',
    ],
    "ex_halving_search": [
        # Keywords for everything, the defaults spelt out (resource, n_candidates, scoring=None is R²).
        '''
halving = HalvingRandomSearchCV(
    estimator=make_kernel_ridge(),
    param_distributions={GAMMA: loguniform(1e-4, 1e2), ALPHA: loguniform(1e-3, 1e3)},
    n_candidates="exhaust",
    resource="n_samples",
    min_resources=30,
    factor=3,
    cv=CV,
    scoring=None,
    random_state=0,
)
halving.fit(X_train, y_train)
''',
        # scipy.stats.reciprocal (the same distribution under its older name), built then fitted.
        '''
from scipy.stats import reciprocal

space = {ALPHA: reciprocal(0.001, 1000), GAMMA: reciprocal(0.0001, 100)}
halving = HalvingRandomSearchCV(make_kernel_ridge(), space, factor=3, min_resources=30, cv=CV, scoring="r2",
                                random_state=0, aggressive_elimination=False)
_ = halving.fit(X_train, y_train)
''',
    ],
    "ex_defaults_vs_tuned": [
        # r2_score on predictions; the tuned model scored through the search itself.
        '''
from sklearn.metrics import r2_score


def defaults_vs_tuned(search, X_train, y_train, X_test, y_test):
    untuned = clone(search.estimator)
    untuned.fit(X_train, y_train)
    return {
        "defaults": float(r2_score(y_test, untuned.predict(X_test))),
        "tuned": float(r2_score(y_test, search.best_estimator_.predict(X_test))),
    }
''',
        # A deep copy of the (never fitted) estimator instead of clone, a loop over the two models.
        '''
import copy


def defaults_vs_tuned(search, X_train, y_train, X_test, y_test):
    models = {"defaults": copy.deepcopy(search.estimator).fit(X_train, y_train), "tuned": search.best_estimator_}
    return {name: float(model.score(X_test, y_test)) for name, model in models.items()}
''',
    ],
    "ex_nested_cv_estimate": [
        # NumPy arrays for fitting, DataFrame rows for scoring (scikit-learn warns "X has feature names,
        # but StandardScaler was fitted without feature names" when the test scores them): correct.
        '''
def nested_cv(X, y):
    X_values, y_values = np.asarray(X), np.asarray(y)
    outer = KFold(n_splits=5, shuffle=True, random_state=1)
    results = {"outer_scores": [], "searches": []}
    for fit_rows, held_rows in outer.split(X_values):
        inner = GridSearchCV(make_kernel_ridge(), {ALPHA: [0.01, 0.1, 1.0], GAMMA: [0.001, 0.01]}, cv=CV,
                             scoring="r2")
        inner.fit(X_values[fit_rows], y_values[fit_rows])
        results["outer_scores"].append(inner.score(X.iloc[held_rows], y.iloc[held_rows]))
        results["searches"].append(inner)
    results["estimate"] = float(np.mean(results["outer_scores"]))
    return results
''',
        # cross_validate with the search as its estimator: it clones and fits one search per outer fold.
        '''
from sklearn.model_selection import cross_validate


def nested_cv(X, y):
    inner = GridSearchCV(make_kernel_ridge(), {ALPHA: [0.01, 0.1, 1.0], GAMMA: [0.001, 0.01]}, cv=CV, scoring="r2")
    outer = cross_validate(inner, X, y, cv=KFold(n_splits=5, shuffle=True, random_state=1), scoring="r2",
                           return_estimator=True)
    scores = [float(s) for s in outer["test_score"]]
    return {"outer_scores": scores, "searches": list(outer["estimator"]), "estimate": sum(scores) / len(scores)}
''',
    ],
}
