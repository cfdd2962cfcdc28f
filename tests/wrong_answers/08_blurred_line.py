"""Plausible wrong answers for module 08. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Scores a starting point (w = 0, "no effect") before the random tries: one call over budget.
    "ex_random_weight_search": '''
def random_weight_search(loss, n_weights, budget, scale, seed):
    rng = np.random.default_rng(seed)
    best_weights = np.zeros(n_weights)
    best_loss = loss(best_weights)
    for _ in range(budget):
        weights = rng.uniform(-scale, scale, size=n_weights)
        value = loss(weights)
        if value < best_loss:
            best_weights, best_loss = weights, value
    return best_weights, float(best_loss)
''',
    # Centres y but not X ("X is standardised already"): right on this notebook's split, wrong on
    # any split whose training features are not centred.
    "ex_ridge_hypergradient": '''
def ridge_hypergradient(alpha, X_train, y_train, X_val, y_val):
    X_train, y_train = np.asarray(X_train, dtype=float), np.asarray(y_train, dtype=float)
    X_val, y_val = np.asarray(X_val, dtype=float), np.asarray(y_val, dtype=float)
    y_bar = y_train.mean()
    system = X_train.T @ X_train + alpha * np.eye(X_train.shape[1])
    weights = np.linalg.solve(system, X_train.T @ (y_train - y_bar))
    residuals = X_val @ weights + y_bar - y_val
    dloss_dweights = 2.0 / len(y_val) * X_val.T @ residuals
    return float(dloss_dweights @ -np.linalg.solve(system, weights))
''',
    # A cautious learning rate and a short run: the descent stalls on the flat part of the curve.
    "ex_descend_log_alpha": '''
LEARNING_RATE = 0.001
N_STEPS = 100


def descend_log_alpha(grad, log_alpha, learning_rate, n_steps):
    path = [float(log_alpha)]
    for _ in range(n_steps):
        path.append(path[-1] - learning_rate * grad(path[-1]))
    return np.array(path)
''',
    # Falls into the naming trap: BayesianRidge.alpha_ read as Ridge's penalty alpha.
    "ex_bayes_ridge_precisions": '''
bayes_ridge = BayesianRidge().fit(X_train, y_train)
learned_alpha = float(bayes_ridge.alpha_)
learned_lambda = float(bayes_ridge.lambda_)
implied_ridge_alpha = learned_alpha
''',
    # The "alpha is a hyperparameter" reflex: the learned precisions called hyper-priors.
    "ex_bayes_ridge_roles": '''
bayes_roles = {
    "alpha_": "hyper-prior",
    "lambda_": "hyper-prior",
    "coef_": "learned",
    "sigma_": "learned",
    "alpha_1": "hyper-prior",
    "alpha_2": "hyper-prior",
    "lambda_1": "hyper-prior",
    "lambda_2": "hyper-prior",
    "max_iter": "setting",
    "compute_score": "setting",
}
''',
    # Labels by method: whatever a search finds is a hyperparameter, a seed is tuned, and an
    # adaptive gain is "just a controller setting".
    "ex_classify_gray_cases": '''
gray_labels = {
    "RidgeCV: alphas (the candidates)": "hyperparameter",
    "RidgeCV: alpha_": "hyperparameter",
    "GridSearchCV: param_grid": "hyperparameter",
    "GridSearchCV: best_params_": "hyperparameter",
    "GridSearchCV: n_jobs": "neither",
    "BayesianRidge: alpha_": "parameter",
    "BayesianRidge: lambda_1": "hyperparameter",
    "Ridge: alpha after hypergradient descent": "parameter",
    "Hypergradient descent: its learning rate": "hyperparameter",
    "Random weight search: the best weights found": "hyperparameter",
    "Random weight search: the seed": "hyperparameter",
    "Learned optimiser: its network's weights": "parameter",
    "Learned optimiser: its meta-training learning rate": "hyperparameter",
    "Bayesian regression: prior variance fixed by the analyst": "hyperparameter",
    "Bayesian regression: posterior mean of the weights": "parameter",
    "Adaptive insulin controller: gain re-estimated from readings": "neither",
    "Adaptive insulin controller: adaptation rate set by the engineer": "hyperparameter",
}
''',
    # The method-based rule that this module refutes.
    "ex_gray_case_rule": '''
gray_rule = "B"
''',
}
