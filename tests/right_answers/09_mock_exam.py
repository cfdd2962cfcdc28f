"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py).

The mock exam grades every learner on their own paper (the id of their submission's folder and the
attempt their notebook sets), and a paper shows one item of the bank per section: each answer computes
from ``exam`` as the solution does, or holds the answers of every item of the bank and keeps those of
the paper's item. The paper-fairness test (tests/test_exam_fairness.py) runs every one of them on a
few hundred simulated papers covering every item, and tests/test_exam_bank.py grades them with
nbgrader on an attempt of every item.
"""

RIGHT = {
    "ex_exam_classify_mixed": [
        # Grouped by label, case and spaces as a learner might type them; the optimiser-route
        # settings called hyperparameters, as common usage does.
        '''
learned = [
    "ElasticNet: intercept_",
    "DecisionTreeRegressor: tree_.children_left (the learned shape)",
    "SVR: dual_coef_",
    "MLPRegressor: intercepts_",
    "StandardScaler: var_",
    "GridSearchCV: best_estimator_.coef_",
    "Ridge: coef_",
    "LogisticRegression: intercept_",
    "DecisionTreeClassifier: tree_.threshold (the learned split points)",
    "SVC: support_vectors_",
    "MLPClassifier: coefs_",
    "StandardScaler: mean_",
    "Lasso: coef_",
    "DecisionTreeRegressor: tree_.value (the learned leaf values)",
    "SVC: intercept_",
    "LinearSVC: coef_",
    "MLPRegressor: coefs_",
    "StandardScaler: scale_",
]
chosen_before_fit = [
    "ElasticNet: l1_ratio",
    "Lasso: selection ('cyclic' or 'random' coordinate order)",
    "LogisticRegression: warm_start",
    "RadiusNeighborsClassifier: radius",
    "KNeighborsRegressor: weights ('uniform' or 'distance')",
    "DecisionTreeRegressor: min_samples_split",
    "DecisionTreeClassifier: max_leaf_nodes",
    "SVR: epsilon",
    "SVC: shrinking",
    "MLPClassifier: beta_1 (Adam's momentum)",
    "Ridge: alpha",
    "Ridge: solver ('cholesky' or 'lsqr')",
    "LogisticRegression: class_weight",
    "LogisticRegression: solver ('lbfgs' or 'newton-cg')",
    "KNeighborsClassifier: n_neighbors",
    "DecisionTreeClassifier: criterion ('gini' or 'entropy')",
    "RandomForestClassifier: max_features (features tried at each split)",
    "SVC: gamma",
    "MLPClassifier: learning_rate_init",
    "Lasso: tol (the stopping tolerance)",
    "Lasso: alpha",
    "ElasticNet: selection ('cyclic' or 'random' coordinate order)",
    "LogisticRegression: max_iter",
    "KNeighborsRegressor: p (the Minkowski power)",
    "DecisionTreeRegressor: max_depth",
    "DecisionTreeClassifier: ccp_alpha",
    "SVR: C",
    "SVR: shrinking",
    "MLPRegressor: hidden_layer_sizes",
    "MLPClassifier: alpha (the L2 penalty)",
]
other = [
    "LinearRegression: n_jobs",
    "DecisionTreeClassifier: n_classes_",
    "MLPClassifier: best_loss_",
    "Pipeline: memory (cache of fitted steps)",
    "RandomForestClassifier: n_jobs",
    "LogisticRegression: n_iter_",
    "KNeighborsClassifier: n_samples_fit_",
    "SVC: verbose",
    "KNeighborsClassifier: n_jobs",
    "SVC: n_features_in_",
    "MLPRegressor: n_iter_",
    "MLPClassifier: verbose",
]
every_label = {item: "Parameter" for item in learned}
every_label.update({item: " hyperparameter " for item in chosen_before_fit})
every_label.update(dict.fromkeys(other, "NEITHER"))
mixed_labels = {item: label for item, label in every_label.items() if item in exam.classify_items}
''',
        # One label at a time; the optimiser-route settings alternately "neither" and "hyperparameter".
        '''
labels_here = {}
labels_here["ElasticNet: l1_ratio"] = "hyperparameter"
labels_here["ElasticNet: intercept_"] = "parameter"
labels_here["Lasso: selection ('cyclic' or 'random' coordinate order)"] = "Neither"
labels_here["LinearRegression: n_jobs"] = "neither"
labels_here["LogisticRegression: warm_start"] = "Hyperparameter"
labels_here["RadiusNeighborsClassifier: radius"] = "hyperparameter"
labels_here["KNeighborsRegressor: weights ('uniform' or 'distance')"] = "hyperparameter"
labels_here["DecisionTreeRegressor: min_samples_split"] = "hyperparameter"
labels_here["DecisionTreeRegressor: tree_.children_left (the learned shape)"] = "parameter"
labels_here["DecisionTreeClassifier: max_leaf_nodes"] = "hyperparameter"
labels_here["DecisionTreeClassifier: n_classes_"] = "neither"
labels_here["SVR: epsilon"] = "hyperparameter"
labels_here["SVR: dual_coef_"] = "parameter"
labels_here["SVC: shrinking"] = "Neither"
labels_here["MLPRegressor: intercepts_"] = "parameter"
labels_here["MLPClassifier: beta_1 (Adam's momentum)"] = "hyperparameter"
labels_here["MLPClassifier: best_loss_"] = "neither"
labels_here["StandardScaler: var_"] = "parameter"
labels_here["Pipeline: memory (cache of fitted steps)"] = "neither"
labels_here["GridSearchCV: best_estimator_.coef_"] = "parameter"
labels_here["Ridge: alpha"] = "hyperparameter"
labels_here["Ridge: coef_"] = "parameter"
labels_here["Ridge: solver ('cholesky' or 'lsqr')"] = "Hyperparameter"
labels_here["RandomForestClassifier: n_jobs"] = "neither"
labels_here["LogisticRegression: class_weight"] = "hyperparameter"
labels_here["LogisticRegression: intercept_"] = "parameter"
labels_here["LogisticRegression: n_iter_"] = "neither"
labels_here["LogisticRegression: solver ('lbfgs' or 'newton-cg')"] = "Neither"
labels_here["KNeighborsClassifier: n_neighbors"] = "hyperparameter"
labels_here["KNeighborsClassifier: n_samples_fit_"] = "neither"
labels_here["DecisionTreeClassifier: criterion ('gini' or 'entropy')"] = "hyperparameter"
labels_here["DecisionTreeClassifier: tree_.threshold (the learned split points)"] = "parameter"
labels_here["RandomForestClassifier: max_features (features tried at each split)"] = "hyperparameter"
labels_here["SVC: gamma"] = "hyperparameter"
labels_here["SVC: support_vectors_"] = "parameter"
labels_here["SVC: verbose"] = "neither"
labels_here["MLPClassifier: learning_rate_init"] = "hyperparameter"
labels_here["MLPClassifier: coefs_"] = "parameter"
labels_here["Lasso: tol (the stopping tolerance)"] = "Hyperparameter"
labels_here["StandardScaler: mean_"] = "parameter"
labels_here["Lasso: alpha"] = "hyperparameter"
labels_here["Lasso: coef_"] = "parameter"
labels_here["ElasticNet: selection ('cyclic' or 'random' coordinate order)"] = "Neither"
labels_here["LogisticRegression: max_iter"] = "Hyperparameter"
labels_here["KNeighborsClassifier: n_jobs"] = "neither"
labels_here["KNeighborsRegressor: p (the Minkowski power)"] = "hyperparameter"
labels_here["DecisionTreeRegressor: max_depth"] = "hyperparameter"
labels_here["DecisionTreeRegressor: tree_.value (the learned leaf values)"] = "parameter"
labels_here["DecisionTreeClassifier: ccp_alpha"] = "hyperparameter"
labels_here["SVR: C"] = "hyperparameter"
labels_here["SVR: shrinking"] = "Neither"
labels_here["SVC: intercept_"] = "parameter"
labels_here["SVC: n_features_in_"] = "neither"
labels_here["LinearSVC: coef_"] = "parameter"
labels_here["MLPRegressor: hidden_layer_sizes"] = "hyperparameter"
labels_here["MLPRegressor: coefs_"] = "parameter"
labels_here["MLPRegressor: n_iter_"] = "neither"
labels_here["MLPClassifier: alpha (the L2 penalty)"] = "hyperparameter"
labels_here["MLPClassifier: verbose"] = "neither"
labels_here["StandardScaler: scale_"] = "parameter"
mixed_labels = {item: labels_here[item] for item in exam.classify_items}
''',
    ],
    "ex_exam_count_learned": [
        # The hint's check: fit each model of the paper on a few rows of random data and count.
        '''
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

n_features, n_classes, hidden = exam.mlp_layers
linear_features, linear_classes = exam.linear_shape
rng = np.random.default_rng(7)


def toy_fit(model, n_columns, n_labels):
    X_fake = rng.normal(size=(3 * n_labels, n_columns))
    y_fake = np.arange(3 * n_labels) % n_labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X_fake, y_fake)


net = toy_fit(MLPClassifier(hidden_layer_sizes=hidden, max_iter=5), n_features, n_classes)
linear_class = {"LogisticRegression": LogisticRegression, "LinearSVC": LinearSVC}[exam.counting.linear]
linear = toy_fit(linear_class(max_iter=5), linear_features, linear_classes)  # shapes only: a few steps do
learned_counts = {
    "mlp": int(sum(w.size + b.size for w, b in zip(net.coefs_, net.intercepts_))),
    "linear": int(linear.coef_.size + linear.intercept_.size),
}
print(learned_counts)
''',
        # Closed form with NumPy: weights and biases counted separately.
        '''
n_in, k, layers = exam.mlp_layers
widths = np.array([n_in, *layers, 1 if k == 2 else k])
weights = np.sum(widths[:-1] * widths[1:])
biases = np.sum(widths[1:])
p, classes = exam.linear_shape
rows = 1 if classes == 2 else classes
learned_counts = dict(mlp=int(weights + biases), linear=rows * p + rows)
print(learned_counts)
''',
    ],
    "ex_exam_penalty_survivors": [
        # Standardised by hand (pandas' std divides by n - 1, not n: a hair's difference), and the
        # answer as a pandas Index.
        '''
train = penalty.split.X_train
standardised = (train - train.mean()) / train.std()
fitted = penalty.model().fit(standardised, penalty.split.y_train)
if penalty.asks == "nonzero":
    kept_features = train.columns[fitted.coef_ != 0]
else:
    kept_features = train.columns[np.argsort(-np.abs(fitted.coef_))[:3]]
print(list(kept_features))
''',
        # A named Pipeline on NumPy arrays, the answer as a set.
        '''
from sklearn.pipeline import Pipeline

model = Pipeline([("z", StandardScaler()), ("penalised", penalty.model())])
model.fit(penalty.split.X_train.to_numpy(), penalty.split.y_train.to_numpy())
weights = dict(zip(penalty.split.X_train.columns, model.named_steps["penalised"].coef_))
if penalty.asks == "nonzero":
    kept_features = {column for column, weight in weights.items() if abs(weight) > 0}
else:
    kept_features = set(sorted(weights, key=lambda column: abs(weights[column]), reverse=True)[:3])
print(sorted(kept_features))
''',
    ],
    "ex_exam_tune": [
        # Named steps, a hand-typed grid, folds built by hand, the chosen value read from the refit
        # model, the test score computed with the scorer of the paper's metric.
        '''
from sklearn.metrics import get_scorer

tune_grid = [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
fold_kind = StratifiedKFold if tuning.classification else KFold
folds = fold_kind(n_splits=5, shuffle=True, random_state=tuning.cv_seed)
pipe = Pipeline([("scale", StandardScaler()), ("model", tuning.estimator_class())])
tune_search = GridSearchCV(pipe, param_grid={f"model__{tuning.param}": tune_grid}, scoring=tuning.scoring, cv=folds,
                           n_jobs=1)
tune_search.fit(tuning.split.X_train, tuning.split.y_train)
tune_best = getattr(tune_search.best_estimator_.named_steps["model"], tuning.param)
tune_test_score = get_scorer(tuning.scoring)(tune_search.best_estimator_, tuning.split.X_test, tuning.split.y_test)
print(f"chosen {tuning.param} = {tune_best:g}; test score {tune_test_score:.3f}")
''',
        # A hand-typed 1-3-10 grid in a list of dicts, fitted on NumPy arrays but scored on the
        # DataFrame (scikit-learn warns about feature names: that must not cost a point).
        '''
from sklearn.metrics import get_scorer

tune_grid = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
tune_search = GridSearchCV(
    make_pipeline(StandardScaler(), tuning.model()),
    [{tuning.param_key: tune_grid}],
    scoring=tuning.scoring,
    cv=tuning.folds(),
    n_jobs=1,
).fit(tuning.split.X_train.to_numpy(), tuning.split.y_train.to_numpy())
tune_best = tune_search.best_params_[tuning.param_key]
tune_test_score = get_scorer(tuning.scoring)(tune_search, tuning.split.X_test, tuning.split.y_test)
print(f"chosen {tuning.param} = {tune_best:g}; test score {tune_test_score:.3f}")
''',
    ],
    "ex_exam_search_budget": [
        # Counted from scikit-learn's own ParameterGrid.
        '''
from sklearn.model_selection import ParameterGrid

axes = {"C": list(range(budget["n_C"])), "gamma": list(range(budget["n_gamma"]))}
if "n_class_weight" in budget:
    axes["class_weight"] = list(range(budget["n_class_weight"]))
grid = ParameterGrid(axes)
folds_per_candidate = budget["inner_folds"] * budget.get("inner_repeats", 1)
one_search = len(grid) * folds_per_candidate + 1  # every candidate on every fold, then the refit
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
n_candidates = math.prod([n_C, n_gamma, budget.get("n_class_weight", 1)])
per_search = inner * budget.get("inner_repeats", 1) * n_candidates + 1
budget_answers = dict(grid_fits=per_search, nested_fits=outer * per_search, grid_distinct_C=n_C,
                      random_distinct_C=n_candidates)
print(budget_answers)
''',
    ],
    "ex_exam_scenarios": [
        # Lower case, stray spaces.
        '''
letters = {
    "imbalance": " b",
    "defaults": " b",
    "test_reuse": " d",
    "prepared_data": " c",
    "threshold": " b",
    "feature_selection": " c",
    "early_stopping": " d",
    "patients": " c",
    "seed_shopping": " b",
    "imputation": " d",
    "small_data": " c",
    "unfair_baseline": " b",
}
scenario_answers = {key: letters[key] for key in SCENARIOS}
print(scenario_answers)
''',
        # Looked up by the text of the chosen option.
        '''
chosen = {
    "imbalance": "Choose, before looking at resu",
    "defaults": "The first claim holds, the sec",
    "test_reuse": "Choices were made by looking a",
    "prepared_data": "Because its scaler learned `me",
    "threshold": "Treated the threshold as one m",
    "feature_selection": "The selection learned from eve",
    "early_stopping": "Nothing: early stopping holds ",
    "patients": "Split by patient (`GroupKFold`",
    "seed_shopping": "Choosing the seed by its test ",
    "imputation": "The imputer learned its means ",
    "small_data": "The best of 500 noisy scores o",
    "unfair_baseline": "The comparison is unfair: the ",
}
scenario_answers = {
    key: "ABCD"[[option.startswith(chosen[key]) for option in options].index(True)]
    for key, (text, options) in SCENARIOS.items()
}
print(scenario_answers)
''',
    ],
    "ex_exam_gray_cases": [
        # The other defensible side of every gray item.
        '''
all_gray = {
    "LassoCV: alphas (the candidates)": "hyperparameter",
    "LassoCV: alpha_": "hyperparameter",
    "BayesianRidge: lambda_ (precision of the weights, estimated in fit)": "hyperparameter",
    "BayesianRidge: alpha_2 (rate of a hyper-prior)": "hyperparameter",
    "GaussianProcessRegressor: kernel_ length scale after fit (marginal likelihood maximised)": "hyperparameter",
    "GaussianProcessRegressor: n_restarts_optimizer": "hyperparameter",
    "RandomizedSearchCV: n_iter (the budget)": "hyperparameter",
    "RandomizedSearchCV: random_state": "neither",
    "GridSearchCV: best_params_['svc__C']": "hyperparameter",
    "RidgeCV: alphas (the candidates)": "hyperparameter",
    "RidgeCV: alpha_": "hyperparameter",
    "ARDRegression: lambda_ (one precision per weight, estimated in fit)": "hyperparameter",
    "ARDRegression: lambda_1 (shape of a hyper-prior)": "hyperparameter",
    "GaussianProcessClassifier: kernel_ length scale after fit (marginal likelihood maximised)": "hyperparameter",
    "GaussianProcessClassifier: n_restarts_optimizer": "hyperparameter",
    "LassoCV: n_alphas (how many candidates)": "hyperparameter",
    "GridSearchCV: n_jobs": "neither",
    "GridSearchCV: best_params_['decisiontreeclassifier__max_depth']": "hyperparameter",
    "LogisticRegressionCV: Cs (the candidates)": "hyperparameter",
    "LogisticRegressionCV: C_": "hyperparameter",
    "BayesianRidge: alpha_ (precision of the noise, estimated in fit)": "hyperparameter",
    "BayesianRidge: lambda_1 (shape of a hyper-prior)": "hyperparameter",
    "GaussianProcessRegressor: kernel_ noise level after fit (marginal likelihood maximised)": "hyperparameter",
    "BayesianRidge: max_iter (iterations of the evidence maximisation)": "hyperparameter",
    "HalvingRandomSearchCV: n_candidates (the budget)": "hyperparameter",
    "HalvingRandomSearchCV: random_state": "neither",
    "RandomizedSearchCV: best_params_['ridge__alpha']": "hyperparameter",
}
gray_exam_labels = {item: all_gray[item] for item in exam.gray_items}
''',
        # Built from two lists; restarts and budgets "neither" (07: search settings), in capitals.
        '''
gray_exam_labels = {}
items = [
    "LassoCV: alphas (the candidates)",
    "LassoCV: alpha_",
    "BayesianRidge: lambda_ (precision of the weights, estimated in fit)",
    "BayesianRidge: alpha_2 (rate of a hyper-prior)",
    "GaussianProcessRegressor: kernel_ length scale after fit (marginal likelihood maximised)",
    "GaussianProcessRegressor: n_restarts_optimizer",
    "RandomizedSearchCV: n_iter (the budget)",
    "RandomizedSearchCV: random_state",
    "GridSearchCV: best_params_['svc__C']",
    "RidgeCV: alphas (the candidates)",
    "RidgeCV: alpha_",
    "ARDRegression: lambda_ (one precision per weight, estimated in fit)",
    "ARDRegression: lambda_1 (shape of a hyper-prior)",
    "GaussianProcessClassifier: kernel_ length scale after fit (marginal likelihood maximised)",
    "GaussianProcessClassifier: n_restarts_optimizer",
    "LassoCV: n_alphas (how many candidates)",
    "GridSearchCV: n_jobs",
    "GridSearchCV: best_params_['decisiontreeclassifier__max_depth']",
    "LogisticRegressionCV: Cs (the candidates)",
    "LogisticRegressionCV: C_",
    "BayesianRidge: alpha_ (precision of the noise, estimated in fit)",
    "BayesianRidge: lambda_1 (shape of a hyper-prior)",
    "GaussianProcessRegressor: kernel_ noise level after fit (marginal likelihood maximised)",
    "BayesianRidge: max_iter (iterations of the evidence maximisation)",
    "HalvingRandomSearchCV: n_candidates (the budget)",
    "HalvingRandomSearchCV: random_state",
    "RandomizedSearchCV: best_params_['ridge__alpha']",
]
labels = [
    "Hyperparameter",
    "Parameter",
    "Parameter",
    "Hyperparameter",
    "Parameter",
    "Neither",
    "Neither",
    "Neither",
    "Parameter",
    "Hyperparameter",
    "Parameter",
    "Parameter",
    "Hyperparameter",
    "Parameter",
    "Neither",
    "Neither",
    "Neither",
    "Parameter",
    "Hyperparameter",
    "Parameter",
    "Parameter",
    "Hyperparameter",
    "Parameter",
    "Neither",
    "Neither",
    "Neither",
    "Parameter",
]
for item, label in zip(items, labels):
    if item in exam.gray_items:
        gray_exam_labels[item] = label
''',
    ],
}
