"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_split_state": [
        # A loop over __dict__ with string indexing instead of a comprehension over vars().
        '''
def split_state(estimator):
    hyperparameters = estimator.get_params(deep=True)
    learned = {}
    for name in estimator.__dict__:
        if name[-1] == "_" and name[0] != "_" and name not in BOOKKEEPING_ATTRIBUTES:
            learned[name] = getattr(estimator, name)
    return hyperparameters, learned
''',
        # Shallow get_params (no nested estimators here) and a filter() over the items.
        '''
def split_state(estimator):
    def is_learned(item):
        name = item[0]
        return name.endswith("_") and not name.startswith("_") and name not in set(BOOKKEEPING_ATTRIBUTES)

    return dict(estimator.get_params(deep=False)), dict(filter(is_learned, vars(estimator).items()))
''',
    ],
    "ex_learned_slope": [
        # .loc column selection, a separate fit call, .item() instead of float(coef_[0]).
        '''
def learned_slope(alpha):
    model = Ridge(alpha=alpha)
    model.fit(X_train.loc[:, ["bmi"]], y_train)
    return model.coef_.item()
''',
        # A NumPy column instead of a DataFrame.
        '''
def learned_slope(alpha):
    bmi = X_train["bmi"].to_numpy().reshape(-1, 1)
    fitted = Ridge(alpha=alpha).fit(bmi, y_train.to_numpy())
    return float(np.ravel(fitted.coef_)[0])
''',
        # The closed form of one-feature ridge with an unpenalised intercept.
        '''
def learned_slope(alpha):
    x = X_train["bmi"] - X_train["bmi"].mean()
    target = y_train - y_train.mean()
    return float((x * target).sum() / ((x**2).sum() + alpha))
''',
    ],
    "ex_classify_course_settings": [
        # Capitals, and the other defensible label of the gray item (RidgeCV.alpha_ as learned).
        '''
classification = {
    "Ridge: alpha": "Hyperparameter",
    "Ridge: coef_": "Parameter",
    "LinearRegression: intercept_": "PARAMETER",
    "LogisticRegression: C": "hyperparameter",
    "LogisticRegression: verbose": "Neither",
    "KNeighborsClassifier: n_neighbors": "hyperparameter",
    "DecisionTreeClassifier: max_depth": "hyperparameter",
    "DecisionTreeClassifier: tree_.threshold": "parameter",
    "SVC: gamma": "hyperparameter",
    "SVC: support_vectors_": "parameter",
    "SVC: cache_size": "NEITHER",
    "MLPClassifier: coefs_": "parameter",
    "MLPClassifier: learning_rate_init": "hyperparameter",
    "MLPClassifier: random_state": "neither",
    "StandardScaler: mean_": "parameter",
    "RandomForestClassifier: n_jobs": "neither",
    "RidgeCV: alpha_": "parameter",
}
''',
        # The template filled in place, item by item.
        '''
classification = {
    "Ridge: alpha": None,
    "Ridge: coef_": None,
    "LinearRegression: intercept_": None,
    "LogisticRegression: C": None,
    "LogisticRegression: verbose": None,
    "KNeighborsClassifier: n_neighbors": None,
    "DecisionTreeClassifier: max_depth": None,
    "DecisionTreeClassifier: tree_.threshold": None,
    "SVC: gamma": None,
    "SVC: support_vectors_": None,
    "SVC: cache_size": None,
    "MLPClassifier: coefs_": None,
    "MLPClassifier: learning_rate_init": None,
    "MLPClassifier: random_state": None,
    "StandardScaler: mean_": None,
    "RandomForestClassifier: n_jobs": None,
    "RidgeCV: alpha_": None,
}
for item in ["Ridge: coef_", "LinearRegression: intercept_", "DecisionTreeClassifier: tree_.threshold",
             "SVC: support_vectors_", "MLPClassifier: coefs_", "StandardScaler: mean_"]:
    classification[item] = "parameter"
for item in ["Ridge: alpha", "LogisticRegression: C", "KNeighborsClassifier: n_neighbors",
             "DecisionTreeClassifier: max_depth", "SVC: gamma", "MLPClassifier: learning_rate_init",
             "RidgeCV: alpha_"]:
    classification[item] = "hyperparameter"
for item in ["LogisticRegression: verbose", "SVC: cache_size", "MLPClassifier: random_state",
             "RandomForestClassifier: n_jobs"]:
    classification[item] = "neither"
''',
    ],
}
