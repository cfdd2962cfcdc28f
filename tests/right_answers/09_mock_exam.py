"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py).

The mock exam grades every learner on their own paper (the id of their submission's folder), so
each answer computes from ``exam`` as the solution does, or is paper-independent; the paper-fairness
test (tests/test_exam_fairness.py) also runs every one of them on a few hundred simulated papers.
"""

RIGHT = {
    "ex_exam_classify_mixed": [
        # Grouped by label, case and spaces as a learner might type them; the optimiser-route
        # settings called hyperparameters, as common usage does.
        '''
learned = ["ElasticNet: intercept_", "DecisionTreeRegressor: tree_.children_left (the learned shape)",
           "SVR: dual_coef_", "MLPRegressor: intercepts_", "StandardScaler: var_",
           "GridSearchCV: best_estimator_.coef_"]
chosen_before_fit = ["ElasticNet: l1_ratio", "RadiusNeighborsClassifier: radius",
                     "KNeighborsRegressor: weights ('uniform' or 'distance')",
                     "DecisionTreeRegressor: min_samples_split", "DecisionTreeClassifier: max_leaf_nodes",
                     "SVR: epsilon", "MLPClassifier: beta_1 (Adam's momentum)",
                     "Lasso: selection ('cyclic' or 'random' coordinate order)",
                     "LogisticRegression: warm_start", "SVC: shrinking"]
other = ["LinearRegression: n_jobs", "DecisionTreeClassifier: n_classes_", "MLPClassifier: best_loss_",
         "Pipeline: memory (cache of fitted steps)"]
mixed_labels = {item: "Parameter" for item in learned}
mixed_labels.update({item: " hyperparameter " for item in chosen_before_fit})
mixed_labels.update(dict.fromkeys(other, "NEITHER"))
''',
        # One label at a time; two optimiser-route settings "neither", one "hyperparameter".
        '''
mixed_labels = {}
mixed_labels["ElasticNet: l1_ratio"] = "HYPERPARAMETER"
mixed_labels["ElasticNet: intercept_"] = "parameter"
mixed_labels["Lasso: selection ('cyclic' or 'random' coordinate order)"] = "Neither"
mixed_labels["LinearRegression: n_jobs"] = "neither"
mixed_labels["LogisticRegression: warm_start"] = "Hyperparameter"
mixed_labels["RadiusNeighborsClassifier: radius"] = "hyperparameter"
mixed_labels["KNeighborsRegressor: weights ('uniform' or 'distance')"] = "hyperparameter"
mixed_labels["DecisionTreeRegressor: min_samples_split"] = "hyperparameter"
mixed_labels["DecisionTreeRegressor: tree_.children_left (the learned shape)"] = "parameter"
mixed_labels["DecisionTreeClassifier: max_leaf_nodes"] = "hyperparameter"
mixed_labels["DecisionTreeClassifier: n_classes_"] = "neither"
mixed_labels["SVR: epsilon"] = "hyperparameter"
mixed_labels["SVR: dual_coef_"] = "parameter"
mixed_labels["SVC: shrinking"] = "neither"
mixed_labels["MLPRegressor: intercepts_"] = "parameter"
mixed_labels["MLPClassifier: beta_1 (Adam's momentum)"] = "hyperparameter"
mixed_labels["MLPClassifier: best_loss_"] = "neither"
mixed_labels["StandardScaler: var_"] = "parameter"
mixed_labels["Pipeline: memory (cache of fitted steps)"] = "neither"
mixed_labels["GridSearchCV: best_estimator_.coef_"] = "parameter"
''',
    ],
    "ex_exam_count_learned": [
        # The hint's check: fit each model of the paper on a few rows of random data and count.
        '''
import warnings

from sklearn.exceptions import ConvergenceWarning

n_features, n_classes, hidden = exam.mlp_layers
lr_features, lr_classes = exam.logistic_shape
rng = np.random.default_rng(7)


def toy_fit(model, n_columns, n_labels):
    X_fake = rng.normal(size=(3 * n_labels, n_columns))
    y_fake = np.arange(3 * n_labels) % n_labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X_fake, y_fake)


net = toy_fit(MLPClassifier(hidden_layer_sizes=hidden, max_iter=5), n_features, n_classes)
logreg = toy_fit(LogisticRegression(max_iter=5), lr_features, lr_classes)  # shapes only: a few steps do
learned_counts = {
    "mlp": int(sum(w.size + b.size for w, b in zip(net.coefs_, net.intercepts_))),
    "logistic": int(logreg.coef_.size + logreg.intercept_.size),
}
print(learned_counts)
''',
        # Closed form with NumPy: weights and biases counted separately.
        '''
n_in, k, layers = exam.mlp_layers
widths = np.array([n_in, *layers, 1 if k == 2 else k])
weights = np.sum(widths[:-1] * widths[1:])
biases = np.sum(widths[1:])
p, classes = exam.logistic_shape
rows = 1 if classes == 2 else classes
learned_counts = dict(mlp=int(weights + biases), logistic=rows * p + rows)
print(learned_counts)
''',
    ],
    "ex_exam_lasso_survivors": [
        # Standardised by hand (pandas' std divides by n - 1, not n: a hair's difference), and the
        # survivors as a pandas Index.
        '''
train = diabetes.X_train
standardised = (train - train.mean()) / train.std()
fitted = Lasso(alpha=exam.lasso_alpha, max_iter=10_000).fit(standardised, diabetes.y_train)
lasso_kept = train.columns[fitted.coef_ != 0]
print(list(lasso_kept))
''',
        # A named Pipeline on NumPy arrays, random coordinate order, survivors as a set.
        '''
from sklearn.pipeline import Pipeline

lasso = Lasso(alpha=exam.lasso_alpha, selection="random", random_state=3)
model = Pipeline([("z", StandardScaler()), ("lasso", lasso)])
model.fit(diabetes.X_train.to_numpy(), diabetes.y_train.to_numpy())
weights = model.named_steps["lasso"].coef_
lasso_kept = {column for column, weight in zip(diabetes.X_train.columns, weights) if abs(weight) > 0}
print(sorted(lasso_kept))
''',
    ],
    "ex_exam_tune_svm": [
        # Named steps, a hand-typed grid, the chosen C read from the refit model, the test score
        # computed with balanced_accuracy_score.
        '''
from sklearn.metrics import balanced_accuracy_score

svm_C_grid = [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=exam.cv_seed)
pipe = Pipeline([("scale", StandardScaler()), ("model", SVC())])
svm_search = GridSearchCV(pipe, param_grid={"model__C": svm_C_grid}, scoring="balanced_accuracy", cv=folds, n_jobs=1)
svm_search.fit(cancer.X_train, cancer.y_train)
svm_best_C = svm_search.best_estimator_.named_steps["model"].C
svm_test_score = balanced_accuracy_score(cancer.y_test, svm_search.predict(cancer.X_test))
print(f"chosen C = {svm_best_C:g}; test balanced accuracy {svm_test_score:.3f}")
''',
        # A hand-typed 1-3-10 grid in a list of dicts, fitted on NumPy arrays but scored on the
        # DataFrame (scikit-learn warns about feature names: that must not cost a point).
        '''
from sklearn.metrics import get_scorer

svm_C_grid = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
svm_search = GridSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    [{"svc__C": svm_C_grid}],
    scoring="balanced_accuracy",
    cv=StratifiedKFold(5, shuffle=True, random_state=exam.cv_seed),
    n_jobs=1,
).fit(cancer.X_train.to_numpy(), cancer.y_train.to_numpy())
svm_best_C = svm_search.best_params_["svc__C"]
svm_test_score = get_scorer("balanced_accuracy")(svm_search, cancer.X_test, cancer.y_test)
print(f"chosen C = {svm_best_C:g}; test balanced accuracy {svm_test_score:.3f}")
''',
    ],
    "ex_exam_search_budget": [
        # Counted from scikit-learn's own ParameterGrid.
        '''
from sklearn.model_selection import ParameterGrid

grid = ParameterGrid({"C": list(range(budget["n_C"])), "gamma": list(range(budget["n_gamma"]))})
one_search = len(grid) * budget["inner_folds"] + 1  # every candidate on every fold, then the refit
budget_answers = {
    "grid_fits": one_search,
    "nested_fits": one_search * budget["outer_folds"],
    "grid_distinct_C": len({point["C"] for point in grid}),
    "random_distinct_C": len(grid),
}
print(budget_answers)
''',
        # Unpacked first, then dict(...).
        '''
import math

n_C, n_gamma, inner, outer = (budget[key] for key in ("n_C", "n_gamma", "inner_folds", "outer_folds"))
per_search = inner * math.prod([n_C, n_gamma]) + 1
budget_answers = dict(grid_fits=per_search, nested_fits=outer * per_search, grid_distinct_C=n_C,
                      random_distinct_C=n_C * n_gamma)
print(budget_answers)
''',
    ],
    "ex_exam_scenarios": [
        # Lower case, stray spaces.
        '''
scenario_answers = {"imbalance": "b", "defaults": " b", "test_reuse": "d ", "prepared_data": "c"}
print(scenario_answers)
''',
        # Looked up by the text of the chosen option.
        '''
chosen = {
    "imbalance": "Choose, before looking at results",
    "defaults": "The first claim holds",
    "test_reuse": "Choices were made by looking at the test split",
    "prepared_data": "Because its scaler learned",
}
scenario_answers = {
    key: "ABCD"[[option.startswith(start) for option in SCENARIOS[key][1]].index(True)]
    for key, start in chosen.items()
}
print(scenario_answers)
''',
    ],
    "ex_exam_gray_cases": [
        # The other defensible side of every gray item.
        '''
gray_exam_labels = {
    "LassoCV: alphas (the candidates)": "hyperparameter",
    "LassoCV: alpha_": "parameter",
    "BayesianRidge: lambda_ (precision of the weights, estimated in fit)": "hyperparameter",
    "BayesianRidge: alpha_2 (rate of a hyper-prior)": "hyperparameter",
    "GaussianProcessRegressor: kernel_ length scale after fit (marginal likelihood maximised)": "hyperparameter",
    "GaussianProcessRegressor: n_restarts_optimizer": "hyperparameter",
    "RandomizedSearchCV: n_iter (the budget)": "neither",
    "RandomizedSearchCV: random_state": "neither",
    "GridSearchCV: best_params_['svc__C']": "parameter",
}
''',
        # Built from two lists; restarts and budget both "neither" (07: search settings), in capitals.
        '''
items = [
    "LassoCV: alphas (the candidates)", "LassoCV: alpha_",
    "BayesianRidge: lambda_ (precision of the weights, estimated in fit)",
    "BayesianRidge: alpha_2 (rate of a hyper-prior)",
    "GaussianProcessRegressor: kernel_ length scale after fit (marginal likelihood maximised)",
    "GaussianProcessRegressor: n_restarts_optimizer", "RandomizedSearchCV: n_iter (the budget)",
    "RandomizedSearchCV: random_state", "GridSearchCV: best_params_['svc__C']",
]
labels = ["Hyperparameter", "Hyperparameter", "Parameter", "Hyperparameter", "Parameter", "Neither", "Neither",
          "Neither", "Hyperparameter"]
gray_exam_labels = dict(zip(items, labels))
''',
    ],
}
