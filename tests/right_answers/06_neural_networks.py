"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_count_mlp_parameters": [
        # Layer by layer: each unit brings one weight per unit of the layer before it, plus its bias.
        '''
def count_mlp_parameters(n_features, hidden_layer_sizes, n_outputs):
    total, previous = 0, n_features
    for units in list(hidden_layer_sizes) + [n_outputs]:
        total += (previous + 1) * units
        previous = units
    return total
''',
        # NumPy over the tuple of layer sizes, converted back to a plain int.
        '''
def count_mlp_parameters(n_features, hidden_layer_sizes, n_outputs):
    layers = np.array((n_features, *hidden_layer_sizes, n_outputs))
    return int(np.dot(layers[:-1], layers[1:]) + layers[1:].sum())
''',
    ],
    "ex_classify_mlp_settings": [
        # Capitalised labels.
        '''
mlp_classification = {
    "hidden_layer_sizes": "Hyperparameter",
    "activation": "Hyperparameter",
    "learning_rate_init": "Hyperparameter",
    "batch_size": "Hyperparameter",
    "momentum (with solver='sgd')": "Hyperparameter",
    "alpha (weight decay)": "Hyperparameter",
    "early_stopping": "Hyperparameter",
    "coefs_": "Parameter",
    "intercepts_": "Parameter",
    "n_iter_": "Neither",
    "loss_curve_": "Neither",
    "random_state": "Neither",
    "verbose": "Neither",
    "dropout rate p (PyTorch, Keras)": "Hyperparameter",
}
''',
        # Built with dict.fromkeys and update, labels in capitals with stray spaces.
        '''
mlp_classification = dict.fromkeys(
    ["hidden_layer_sizes", "activation", "learning_rate_init", "batch_size", "momentum (with solver='sgd')",
     "alpha (weight decay)", "early_stopping", "dropout rate p (PyTorch, Keras)"],
    " HYPERPARAMETER",
)
mlp_classification.update(dict.fromkeys(["coefs_", "intercepts_"], "PARAMETER "))
mlp_classification.update(dict.fromkeys(["n_iter_", "loss_curve_", "random_state", "verbose"], "NEITHER"))
''',
    ],
    "ex_mlp_weight_norm": [
        # The step by name, np.square and a list of per-matrix sums.
        '''
def squared_weight_norm(alpha):
    network = MLPClassifier(hidden_layer_sizes=(8,), alpha=alpha, solver="lbfgs", max_iter=1000, random_state=0)
    pipeline = make_pipeline(StandardScaler(), network)
    pipeline.fit(X_train, y_train)
    return float(np.sum([np.square(w).sum() for w in pipeline.named_steps["mlpclassifier"].coefs_]))
''',
        # A hand-named Pipeline and Frobenius norms squared (one float per weight matrix).
        '''
from sklearn.pipeline import Pipeline


def squared_weight_norm(alpha):
    model = Pipeline([
        ("scale", StandardScaler()),
        ("net", MLPClassifier(hidden_layer_sizes=(8,), alpha=alpha, solver="lbfgs", max_iter=1000, random_state=0)),
    ]).fit(X_train, y_train)
    total = 0.0
    for matrix in model.named_steps["net"].coefs_:
        total += float(np.linalg.norm(matrix)) ** 2
    return total
''',
    ],
    "ex_tune_mlp_budget": [
        # The plain text bar (from tqdm import tqdm) driven by hand, hand-typed decades, a dict of
        # columns, the winner by sort_values and refit with set_params.
        '''
from tqdm import tqdm

learning_rates = [0.001, 0.01, 0.1]
alphas = [0.0001, 0.001, 0.01]
columns = {"learning_rate_init": [], "alpha": [], "cv_accuracy": []}
with tqdm(total=len(learning_rates) * len(alphas), desc="MLP configurations") as bar:
    for learning_rate_init in learning_rates:
        for alpha in alphas:
            candidate = make_pipeline(
                StandardScaler(),
                MLPClassifier(**FIXED_MLP_SETTINGS, learning_rate_init=learning_rate_init, alpha=alpha, random_state=0),
            )
            columns["learning_rate_init"].append(learning_rate_init)
            columns["alpha"].append(alpha)
            columns["cv_accuracy"].append(cross_val_score(candidate, X_train, y_train, cv=3).mean())
            bar.update(1)
budget_results = pd.DataFrame(columns)
top = budget_results.sort_values("cv_accuracy", ascending=False).iloc[0]
tuned_mlp = make_pipeline(StandardScaler(), MLPClassifier(**FIXED_MLP_SETTINGS, random_state=0))
tuned_mlp.set_params(mlpclassifier__learning_rate_init=float(top["learning_rate_init"]),
                     mlpclassifier__alpha=float(top["alpha"]))
tuned_mlp.fit(X_train, y_train)
mlp_test_accuracy = tuned_mlp.score(X_test, y_test)
''',
        # tqdm.auto over a ParameterGrid, other decades, np.argmax for the winner, accuracy_score at the end.
        '''
from sklearn.metrics import accuracy_score
from sklearn.model_selection import ParameterGrid
from tqdm.auto import tqdm

grid = ParameterGrid({"learning_rate_init": np.logspace(-4, -2, 3), "alpha": np.logspace(-3, 1, 3)})
records = []
for setting in tqdm(list(grid)):
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**FIXED_MLP_SETTINGS, **setting, random_state=0))
    records.append({**setting, "cv_accuracy": float(np.mean(cross_val_score(pipe, X_train, y_train, cv=3)))})
budget_results = pd.DataFrame(records, columns=["learning_rate_init", "alpha", "cv_accuracy"])
winner = records[int(np.argmax([r["cv_accuracy"] for r in records]))]
tuned_mlp = make_pipeline(
    StandardScaler(),
    MLPClassifier(**FIXED_MLP_SETTINGS, learning_rate_init=winner["learning_rate_init"], alpha=winner["alpha"],
                  random_state=0),
).fit(X_train, y_train)
mlp_test_accuracy = accuracy_score(y_test, tuned_mlp.predict(X_test))
''',
    ],
}
