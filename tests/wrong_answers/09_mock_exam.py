"""Plausible wrong answers for module 09 (the mock exam). Each passes the visible test; the hidden
test must catch it (tests/test_grading.py checks that it loses points). The course's grading tests
submit each as learner ``wrong-<grade_id>``, so the seeded items are graded on that id's paper."""

WRONG = {
    # Bookkeeping taken for weights, an optimiser's momentum for a setting, a preprocessing
    # statistic for a setting, and the refit model's coefficients for "chosen by a search". (The
    # optimiser-route settings labelled "hyperparameter" here are accepted: they are gray.)
    "ex_exam_classify_mixed": '''
mixed_labels = {
    "ElasticNet: l1_ratio": "hyperparameter",
    "ElasticNet: intercept_": "parameter",
    "Lasso: selection ('cyclic' or 'random' coordinate order)": "hyperparameter",
    "LinearRegression: n_jobs": "neither",
    "LogisticRegression: warm_start": "hyperparameter",
    "RadiusNeighborsClassifier: radius": "hyperparameter",
    "KNeighborsRegressor: weights ('uniform' or 'distance')": "hyperparameter",
    "DecisionTreeRegressor: min_samples_split": "hyperparameter",
    "DecisionTreeRegressor: tree_.children_left (the learned shape)": "parameter",
    "DecisionTreeClassifier: max_leaf_nodes": "hyperparameter",
    "DecisionTreeClassifier: n_classes_": "parameter",
    "SVR: epsilon": "hyperparameter",
    "SVR: dual_coef_": "parameter",
    "SVC: shrinking": "hyperparameter",
    "MLPRegressor: intercepts_": "parameter",
    "MLPClassifier: beta_1 (Adam's momentum)": "neither",
    "MLPClassifier: best_loss_": "parameter",
    "StandardScaler: var_": "neither",
    "Pipeline: memory (cache of fitted steps)": "neither",
    "GridSearchCV: best_estimator_.coef_": "hyperparameter",
}
''',
    # The naive count: one output per class, so two for the binary logistic regression (every
    # paper has one binary and one multi-class model, so this costs the same point everywhere).
    "ex_exam_count_learned": '''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, n_classes]
lr_features, lr_classes = exam.logistic_shape
learned_counts = {
    "mlp": sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])),
    "logistic": lr_classes * (lr_features + 1),
}
print(learned_counts)
''',
    # The lasso fitted on raw clinical units: the penalty then hits features by their units, and a
    # different set survives.
    "ex_exam_lasso_survivors": '''
lasso_model = Lasso(alpha=exam.lasso_alpha, max_iter=100_000).fit(diabetes.X_train, diabetes.y_train)
lasso_kept = [name for name, weight in zip(diabetes.X_train.columns, lasso_model.coef_) if weight != 0]
print(lasso_kept)
''',
    # Falls into the trap: the colleague's data, standardised on every aspirate before the split.
    # The pipeline still has its scaler (so the visible test is happy), but the held-out rows have
    # leaked into X_train_ready, and the "test score" is measured on leaked data too.
    "ex_exam_tune_svm": '''
svm_C_grid = np.logspace(-2, 3, 6)
svm_search = GridSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    {"svc__C": svm_C_grid},
    scoring="balanced_accuracy",
    cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=exam.cv_seed),
    n_jobs=1,
)
svm_search.fit(X_train_ready, cancer.y_train)
svm_best_C = svm_search.best_params_["svc__C"]
svm_test_score = svm_search.score(X_test_ready, cancer.y_test)
print(f"chosen C = {svm_best_C:g}; test balanced accuracy {svm_test_score:.3f}")
''',
    # Forgets the refit after the search (and so undercounts the nested run), and believes a random
    # search tries no more values of C than the grid.
    "ex_exam_search_budget": '''
candidates = budget["n_C"] * budget["n_gamma"]
budget_answers = {
    "grid_fits": budget["inner_folds"] * candidates,
    "nested_fits": budget["outer_folds"] * budget["inner_folds"] * candidates,
    "grid_distinct_C": budget["n_C"],
    "random_distinct_C": budget["n_C"],
}
print(budget_answers)
''',
    # The tempting options (lettered the same on every paper): accuracy is fine, defaults are
    # expert-chosen, re-running on the test split is fine after cross-validation, and
    # "standardising twice distorts the values".
    "ex_exam_scenarios": '''
scenario_answers = {"imbalance": "A", "defaults": "A", "test_reuse": "A", "prepared_data": "B"}
print(scenario_answers)
''',
    # A hyper-prior taken for a parameter, the candidate list for a setting and the search's seed
    # for a knob. (Restarts and the budget are gray: either of their labels here is accepted.)
    "ex_exam_gray_cases": '''
gray_exam_labels = {
    "LassoCV: alphas (the candidates)": "neither",
    "LassoCV: alpha_": "parameter",
    "BayesianRidge: lambda_ (precision of the weights, estimated in fit)": "parameter",
    "BayesianRidge: alpha_2 (rate of a hyper-prior)": "parameter",
    "GaussianProcessRegressor: kernel_ length scale after fit (marginal likelihood maximised)": "parameter",
    "GaussianProcessRegressor: n_restarts_optimizer": "hyperparameter",
    "RandomizedSearchCV: n_iter (the budget)": "neither",
    "RandomizedSearchCV: random_state": "hyperparameter",
    "GridSearchCV: best_params_['svc__C']": "hyperparameter",
}
''',
}
