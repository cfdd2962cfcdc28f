"""Plausible wrong answers for module 00. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Forgets that some fitted attributes are bookkeeping (and keeps private ones).
    "ex_split_state": '''
def split_state(estimator):
    hyperparameters = estimator.get_params()
    learned = {name: value for name, value in vars(estimator).items()
               if name.endswith("_") and name not in {"n_features_in_", "feature_names_in_"}}
    return hyperparameters, learned
''',
    # Fits on every patient, test split included: the slope is learned from the wrong data.
    "ex_learned_slope": '''
def learned_slope(alpha):
    model = Ridge(alpha=alpha).fit(X[["bmi"]], y)
    return float(model.coef_[0])
''',
    # Calls the seed a hyperparameter and the scaler's mean a setting.
    "ex_classify_course_settings": '''
classification = {
    "Ridge: alpha": "hyperparameter",
    "Ridge: coef_": "parameter",
    "LinearRegression: intercept_": "parameter",
    "LogisticRegression: C": "hyperparameter",
    "LogisticRegression: verbose": "neither",
    "KNeighborsClassifier: n_neighbors": "hyperparameter",
    "DecisionTreeClassifier: max_depth": "hyperparameter",
    "DecisionTreeClassifier: tree_.threshold": "parameter",
    "SVC: gamma": "hyperparameter",
    "SVC: support_vectors_": "parameter",
    "SVC: cache_size": "neither",
    "MLPClassifier: coefs_": "parameter",
    "MLPClassifier: learning_rate_init": "hyperparameter",
    "MLPClassifier: random_state": "hyperparameter",
    "StandardScaler: mean_": "neither",
    "RandomForestClassifier: n_jobs": "neither",
    "RidgeCV: alpha_": "parameter",
}
''',
}
