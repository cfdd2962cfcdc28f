"""Plausible wrong answers for module 06. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Counts the weight matrices but forgets that every unit after the input also learns a bias.
    "ex_count_mlp_parameters": '''
def count_mlp_parameters(n_features, hidden_layer_sizes, n_outputs):
    sizes = [n_features, *hidden_layer_sizes, n_outputs]
    return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))
''',
    # Treats every fitted attribute as learned (loss_curve_, n_iter_) and the seed as a knob to tune.
    "ex_classify_mlp_settings": '''
mlp_classification = {
    "hidden_layer_sizes": "hyperparameter",
    "activation": "hyperparameter",
    "learning_rate_init": "hyperparameter",
    "batch_size": "hyperparameter",
    "momentum (with solver='sgd')": "hyperparameter",
    "alpha (weight decay)": "hyperparameter",
    "early_stopping": "hyperparameter",
    "coefs_": "parameter",
    "intercepts_": "parameter",
    "n_iter_": "parameter",
    "loss_curve_": "parameter",
    "random_state": "hyperparameter",
    "verbose": "neither",
    "dropout rate p (PyTorch, Keras)": "hyperparameter",
}
''',
    # Adds the biases to the norm, although the alpha penalty acts on coefs_ only.
    "ex_mlp_weight_norm": '''
def squared_weight_norm(alpha):
    pipeline = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(8,), alpha=alpha, solver="lbfgs", max_iter=1000, random_state=0),
    ).fit(X_train, y_train)
    net = pipeline[-1]
    return float(sum((w**2).sum() for w in net.coefs_) + sum((b**2).sum() for b in net.intercepts_))
''',
    # Searches learning rate and alpha on evenly spaced (linear) grids: the small values, where
    # the interesting changes happen, get one point between them.
    "ex_tune_mlp_budget": '''
from itertools import product

from tqdm.auto import tqdm

learning_rates = np.linspace(0.001, 0.1, 3)
alphas = np.linspace(0.0001, 1.0, 3)
rows = []
for learning_rate_init, alpha in tqdm(list(product(learning_rates, alphas)), desc="MLP configurations"):
    pipeline = make_pipeline(
        StandardScaler(),
        MLPClassifier(**FIXED_MLP_SETTINGS, learning_rate_init=learning_rate_init, alpha=alpha, random_state=0),
    )
    accuracy = cross_val_score(pipeline, X_train, y_train, cv=3).mean()
    rows.append({"learning_rate_init": learning_rate_init, "alpha": alpha, "cv_accuracy": accuracy})
budget_results = pd.DataFrame(rows)
best = budget_results.loc[budget_results["cv_accuracy"].idxmax()]
tuned_mlp = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        **FIXED_MLP_SETTINGS, learning_rate_init=best["learning_rate_init"], alpha=best["alpha"], random_state=0
    ),
).fit(X_train, y_train)
mlp_test_accuracy = tuned_mlp.score(X_test, y_test)
''',
}
