"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_least_squares_statements": [
        # Settled by experiment, as the hint suggests (bool(...) keeps them Python booleans).
        '''
plain = LinearRegression().fit(X_train, y_train).predict(X_test)
scaled = make_pipeline(StandardScaler(), LinearRegression()).fit(X_train, y_train).predict(X_test)
lasso_raw = Lasso(alpha=1.0, max_iter=100_000).fit(X_train, y_train).predict(X_test)
lasso_scaled = make_pipeline(StandardScaler(), Lasso(alpha=1.0)).fit(X_train, y_train).predict(X_test)
least_squares_statements = {
    "LinearRegression has a hyperparameter you should tune by cross-validation": False,
    "ranking the least-squares coefficients in clinical units ranks the measurements by importance": False,
    "standardising the features changes the predictions of least squares": not np.allclose(plain, scaled),
    "standardising the features changes the predictions of lasso with the same alpha": bool(
        not np.allclose(lasso_raw, lasso_scaled)
    ),
    "a scaler fit on all 442 patients before the split lets the test patients influence training": True,
}
''',
        # The template filled in place, one statement at a time.
        '''
least_squares_statements = {
    "LinearRegression has a hyperparameter you should tune by cross-validation": None,
    "ranking the least-squares coefficients in clinical units ranks the measurements by importance": None,
    "standardising the features changes the predictions of least squares": None,
    "standardising the features changes the predictions of lasso with the same alpha": None,
    "a scaler fit on all 442 patients before the split lets the test patients influence training": None,
}
true_ones = ("standardising the features changes the predictions of lasso", "a scaler fit")
for statement in least_squares_statements:
    least_squares_statements[statement] = statement.startswith(true_ones)
''',
    ],
    "ex_tune_lasso_alpha": [
        # A hand-typed 1-3-10 grid, shuffled but seeded folds, RMSE from the mean squared error.
        '''
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import KFold


def tune_lasso_alpha(X_train, y_train, X_test, y_test):
    grid = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Lasso(max_iter=10_000)),
        {"lasso__alpha": grid},
        cv=KFold(n_splits=5, shuffle=True, random_state=0),
        scoring="neg_mean_squared_error",
    )
    search.fit(X_train, y_train)
    best_alpha = float(search.best_params_["lasso__alpha"])
    predictions = search.best_estimator_.predict(X_test)
    test_rmse = float(np.sqrt(mean_squared_error(y_test, predictions)))
    return search, best_alpha, test_rmse
''',
        # A named Pipeline, np.geomspace, the default R² score for the search.
        '''
from sklearn.pipeline import Pipeline


def tune_lasso_alpha(X_train, y_train, X_test, y_test):
    pipeline = Pipeline([("scale", StandardScaler()), ("model", Lasso())])
    search = GridSearchCV(pipeline, param_grid={"model__alpha": np.geomspace(0.01, 100, 9)}, cv=5)
    search = search.fit(X_train, y_train)
    best_alpha = search.best_params_["model__alpha"].item()
    errors = y_test - search.predict(X_test)
    test_rmse = float(np.sqrt(np.mean(errors**2)))
    return search, best_alpha, test_rmse
''',
        # A hand-typed 1-2-5 series (the classic log-scale series) spanning three powers of ten.
        '''
def tune_lasso_alpha(X_train, y_train, X_test, y_test):
    alphas = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Lasso()), {"lasso__alpha": alphas},
        cv=5, scoring="neg_root_mean_squared_error",
    ).fit(X_train, y_train)
    return search, float(search.best_params_["lasso__alpha"]), float(-search.score(X_test, y_test))
''',
    ],
    "ex_lasso_zeroed_features": [
        # Named steps and a boolean mask on the columns.
        '''
def zeroed_by_lasso(alpha):
    """Names of the measurements whose coefficient is exactly 0 for lasso with this alpha."""
    model = make_pipeline(StandardScaler(), Lasso(alpha=alpha))
    model.fit(X_train, y_train)
    coefficients = model.named_steps["lasso"].coef_
    return X_train.columns[coefficients == 0].tolist()
''',
        # Standardised by hand on the training split (the same coefficients), returned as a tuple.
        '''
def zeroed_by_lasso(alpha):
    """Names of the measurements whose coefficient is exactly 0 for lasso with this alpha."""
    scaled = StandardScaler().fit_transform(X_train)
    lasso = Lasso(alpha=alpha).fit(scaled, y_train)
    return tuple(X_train.columns[j] for j, c in enumerate(lasso.coef_) if c == 0.0)
''',
    ],
    "ex_lasso_zero_meaning": [
        '''
lasso_zero_meaning = {"zero coefficient": "b", "alpha value": "c"}
''',
        '''
lasso_zero_meaning = {
    "zero coefficient": None,  # "A", "B", "C" or "D"
    "alpha value": None,  # "A", "B" or "C"
}
lasso_zero_meaning["zero coefficient"] = " B"
lasso_zero_meaning["alpha value"] = "C "
''',
    ],
    "ex_classify_linear_settings": [
        # The other defensible label of every gray item.
        '''
linear_settings = {
    "LinearRegression: coef_": "parameter",
    "LinearRegression: fit_intercept": "hyperparameter",
    "LinearRegression: positive": "hyperparameter",
    "LinearRegression: copy_X": "neither",
    "Ridge: alpha": "hyperparameter",
    "Ridge: intercept_": "parameter",
    "Ridge: solver": "hyperparameter",
    "Lasso: alpha": "hyperparameter",
    "Lasso: coef_": "parameter",
    "Lasso: max_iter": "hyperparameter",
    "Lasso: tol": "hyperparameter",
    "Lasso: random_state": "neither",
    "Lasso: n_features_in_": "neither",
    "Lasso: n_iter_": "neither",
    "StandardScaler: mean_": "parameter",
    "RidgeCV: alphas": "hyperparameter",
    "RidgeCV: alpha_": "parameter",
}
''',
        # Capitals, a mix of the gray labels, and the dict built from groups.
        '''
linear_settings = {}
for item in ["LinearRegression: coef_", "Ridge: intercept_", "Lasso: coef_", "StandardScaler: mean_"]:
    linear_settings[item] = "Parameter"
for item in ["Ridge: alpha", "Lasso: alpha", "RidgeCV: alphas", "RidgeCV: alpha_", "Ridge: solver",
             "LinearRegression: positive"]:
    linear_settings[item] = "HYPERPARAMETER"
for item in ["LinearRegression: fit_intercept", "LinearRegression: copy_X", "Lasso: max_iter", "Lasso: tol",
             "Lasso: random_state", "Lasso: n_features_in_", "Lasso: n_iter_"]:
    linear_settings[item] = "Neither"
''',
    ],
}
