"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_random_weight_search": [
        # Every try drawn at once as a (budget, n_weights) table, each scored once, the best by argmin.
        '''
def random_weight_search(loss, n_weights, budget, scale, seed):
    rng = np.random.default_rng(seed)
    tries = rng.uniform(low=-scale, high=scale, size=(budget, n_weights))
    losses = np.array([loss(weights) for weights in tries])
    best = int(np.argmin(losses))
    return tries[best], float(losses[best])
''',
        # rng.random rescaled to the box, the record kept with a None check.
        '''
def random_weight_search(loss, n_weights, budget, scale, seed):
    rng = np.random.default_rng(seed)
    record = None
    for attempt in range(budget):
        weights = scale * (2.0 * rng.random(n_weights) - 1.0)
        value = loss(weights)
        if record is None or value < record[1]:
            record = (weights, value)
    return record
''',
    ],
    "ex_ridge_hypergradient": [
        # scikit-learn's Ridge for w(alpha) (it centres the same way), an explicit inverse for dw/dalpha.
        '''
def ridge_hypergradient(alpha, X_train, y_train, X_val, y_val):
    X_train, X_val = np.asarray(X_train, dtype=float), np.asarray(X_val, dtype=float)
    y_train, y_val = np.asarray(y_train, dtype=float), np.asarray(y_val, dtype=float)
    model = Ridge(alpha=alpha, solver="cholesky").fit(X_train, y_train)
    centred = X_train - X_train.mean(axis=0)
    inverse = np.linalg.inv(centred.T @ centred + alpha * np.eye(X_train.shape[1]))
    residuals = model.predict(X_val) - y_val
    gradient_w = 2 * (X_val - X_train.mean(axis=0)).T @ residuals / len(y_val)
    return float(gradient_w @ (-inverse @ model.coef_))
''',
        # The singular value decomposition of the centred training features: both w and dw/dalpha
        # are sums over singular directions.
        '''
def ridge_hypergradient(alpha, X_train, y_train, X_val, y_val):
    A, b = np.asarray(X_train, dtype=float), np.asarray(y_train, dtype=float)
    V, t = np.asarray(X_val, dtype=float), np.asarray(y_val, dtype=float)
    x_bar, y_bar = A.mean(axis=0), b.mean()
    U, s, Vt = np.linalg.svd(A - x_bar, full_matrices=False)
    projected = U.T @ (b - y_bar)
    w = Vt.T @ (s / (s**2 + alpha) * projected)
    dw = -Vt.T @ (s / (s**2 + alpha) ** 2 * projected)
    r = (V - x_bar) @ w + y_bar - t
    return float(np.mean(2 * r * ((V - x_bar) @ dw)))
''',
    ],
    "ex_descend_log_alpha": [
        # A larger rate with fewer steps, the path preallocated.
        '''
LEARNING_RATE = 0.02
N_STEPS = 100


def descend_log_alpha(grad, log_alpha, learning_rate, n_steps):
    path = np.empty(n_steps + 1)
    path[0] = log_alpha
    for k in range(n_steps):
        path[k + 1] = path[k] - learning_rate * grad(path[k])
    return path
''',
        # A smaller rate with more steps, the current point kept in its own variable.
        '''
LEARNING_RATE = 0.005  # smaller steps, more of them
N_STEPS = 400


def descend_log_alpha(grad, log_alpha, learning_rate, n_steps):
    t = float(log_alpha)
    visited = [t]
    while len(visited) <= n_steps:
        t = t - learning_rate * grad(t)
        visited.append(t)
    return np.asarray(visited, dtype=float)
''',
    ],
    "ex_bayes_ridge_precisions": [
        # compute_score=True is a setting: the same precisions and coefficients, plus a score history.
        '''
bayes_ridge = BayesianRidge(compute_score=True)
bayes_ridge.fit(X_train, y_train)
learned_alpha = float(bayes_ridge.alpha_)
learned_lambda = float(bayes_ridge.lambda_)
implied_ridge_alpha = float(bayes_ridge.lambda_ / bayes_ridge.alpha_)
''',
        # .item() for plain floats, the penalty as one over the ratio the other way round.
        '''
bayes_ridge = BayesianRidge().fit(X_train, y_train)
learned_alpha, learned_lambda = bayes_ridge.alpha_.item(), bayes_ridge.lambda_.item()
implied_ridge_alpha = 1.0 / (learned_alpha / learned_lambda)
''',
    ],
    "ex_bayes_ridge_roles": [
        # Capitalised labels.
        '''
bayes_roles = {
    "alpha_": "Learned",
    "lambda_": "Learned",
    "coef_": "Learned",
    "sigma_": "Learned",
    "alpha_1": "Hyper-prior",
    "alpha_2": "Hyper-prior",
    "lambda_1": "Hyper-prior",
    "lambda_2": "Hyper-prior",
    "max_iter": "Setting",
    "compute_score": "Setting",
}
''',
        # A comprehension on the trailing underscore and the digit, labels in capitals with spaces.
        '''
names = ["alpha_", "lambda_", "coef_", "sigma_", "alpha_1", "alpha_2", "lambda_1", "lambda_2", "max_iter",
         "compute_score"]
bayes_roles = {
    name: " LEARNED" if name.endswith("_") else "HYPER-PRIOR " if name[-1].isdigit() else "SETTING"
    for name in names
}
''',
    ],
    "ex_classify_gray_cases": [
        # Every gray item read from the outer loop: an output of a fit, so a parameter.
        '''
gray_labels = {
    "RidgeCV: alphas (the candidates)": "hyperparameter",
    "RidgeCV: alpha_": "parameter",
    "GridSearchCV: param_grid": "hyperparameter",
    "GridSearchCV: best_params_": "parameter",
    "GridSearchCV: n_jobs": "neither",
    "BayesianRidge: alpha_": "parameter",
    "BayesianRidge: lambda_1": "hyperparameter",
    "Ridge: alpha after hypergradient descent": "parameter",
    "Hypergradient descent: its learning rate": "hyperparameter",
    "Random weight search: the best weights found": "parameter",
    "Random weight search: the seed": "neither",
    "Learned optimiser: its network's weights": "parameter",
    "Learned optimiser: its meta-training learning rate": "hyperparameter",
    "Bayesian regression: prior variance fixed by the analyst": "hyperparameter",
    "Bayesian regression: posterior mean of the weights": "parameter",
    "Adaptive insulin controller: gain re-estimated from readings": "parameter",
    "Adaptive insulin controller: adaptation rate set by the engineer": "hyperparameter",
}
''',
        # Every gray item read from the inner fit it feeds: fixed before that fit, so a hyperparameter
        # (capitals and spaces as a learner might type them).
        '''
gray_labels = {
    "RidgeCV: alphas (the candidates)": "Hyperparameter",
    "RidgeCV: alpha_": "Hyperparameter",
    "GridSearchCV: param_grid": "Hyperparameter",
    "GridSearchCV: best_params_": "Hyperparameter",
    "GridSearchCV: n_jobs": "Neither",
    "BayesianRidge: alpha_": "Hyperparameter",
    "BayesianRidge: lambda_1": "Hyperparameter",
    "Ridge: alpha after hypergradient descent": "Hyperparameter",
    "Hypergradient descent: its learning rate": "Hyperparameter",
    "Random weight search: the best weights found": " Parameter",
    "Random weight search: the seed": "Neither",
    "Learned optimiser: its network's weights": "Hyperparameter",
    "Learned optimiser: its meta-training learning rate": "Hyperparameter",
    "Bayesian regression: prior variance fixed by the analyst": "Hyperparameter",
    "Bayesian regression: posterior mean of the weights": "Parameter ",
    "Adaptive insulin controller: gain re-estimated from readings": "Hyperparameter",
    "Adaptive insulin controller: adaptation rate set by the engineer": "Hyperparameter",
}
''',
    ],
    "ex_gray_case_rule": [
        # Lower case is accepted.
        '''
gray_rule = "c"
''',
        # Surrounding spaces and a comment.
        '''
gray_rule = " C "  # the level: which fit the value feeds; seeds and n_jobs stay neither
''',
    ],
}
