"""Plausible wrong answers for module 07. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Draws the scale hyperparameters uniformly on a linear scale: almost every draw lands in the
    # top decade, so small alphas and gammas are never tried.
    "ex_random_search_loop": '''
def random_search(model, space, X, y, n_iter, random_state=0, cv=3, scoring="r2"):
    rng = np.random.default_rng(random_state)
    history = []
    for _ in range(n_iter):
        params = {}
        for name, options in space.items():
            if isinstance(options, tuple):
                params[name] = float(rng.uniform(options[0], options[1]))
            else:
                params[name] = options[int(rng.integers(len(options)))]
        score = cross_val_score(clone(model).set_params(**params), X, y, cv=cv, scoring=scoring).mean()
        history.append((params, float(score)))
    best_params, best_score = max(history, key=lambda pair: pair[1])
    return best_params, best_score, history
''',
    # The blog-post convention: EI = 0 wherever sigma = 0, even when the improvement is certain.
    "ex_expected_improvement": '''
def expected_improvement(mu, sigma, best, xi=0.0):
    mu = np.asarray(mu, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    gain = mu - best - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = gain / sigma
        ei = gain * norm.cdf(z) + sigma * norm.pdf(z)
    return np.where(sigma > 0, ei, 0.0)
''',
    # Uses the latest score as "the best so far" instead of the best score observed.
    "ex_bayes_opt_step": '''
def propose_next(observed, scores, candidates, acquisition=expected_improvement):
    surrogate = make_surrogate().fit(observed, scores)
    mu, sigma = surrogate.predict(candidates, return_std=True)
    values = acquisition(mu, sigma, scores[-1])
    return candidates[int(np.argmax(values))]
''',
    # Fits the search on every patient, test split included.
    "ex_halving_search": '''
halving = HalvingRandomSearchCV(
    make_kernel_ridge(),
    {ALPHA: loguniform(1e-3, 1e3), GAMMA: loguniform(1e-4, 1e2)},
    factor=3,
    min_resources=30,
    cv=CV,
    scoring="r2",
    random_state=0,
).fit(X, y)
''',
    # The classic mistake: the tuned model's CV score (best_score_) against the defaults' test score.
    "ex_defaults_vs_tuned": '''
def defaults_vs_tuned(search, X_train, y_train, X_test, y_test):
    defaults = clone(search.estimator).fit(X_train, y_train)
    return {"defaults": float(defaults.score(X_test, y_test)), "tuned": float(search.best_score_)}
''',
    # Not nested: one search on all the rows, then cross-validation of its winner. The search has
    # seen every outer held-out fold.
    "ex_nested_cv_estimate": '''
def nested_cv(X, y):
    outer = KFold(n_splits=5, shuffle=True, random_state=1)
    grid = {ALPHA: [0.01, 0.1, 1.0], GAMMA: [0.001, 0.01]}
    search = GridSearchCV(make_kernel_ridge(), grid, cv=CV, scoring="r2").fit(X, y)
    outer_scores = [float(s) for s in cross_val_score(search.best_estimator_, X, y, cv=outer, scoring="r2")]
    return {"outer_scores": outer_scores, "searches": [search] * 5, "estimate": float(np.mean(outer_scores))}


nested = nested_cv(X_train, y_train)
''',
}
