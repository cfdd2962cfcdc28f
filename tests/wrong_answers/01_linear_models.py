"""Plausible wrong answers for module 01. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Believes fit_intercept is a knob to tune, and that scaling cannot change lasso's answer.
    "ex_least_squares_statements": '''
least_squares_statements = {
    "LinearRegression has a hyperparameter you should tune by cross-validation": True,
    "ranking the least-squares coefficients in clinical units ranks the measurements by importance": False,
    "standardising the features changes the predictions of least squares": False,
    "standardising the features changes the predictions of lasso with the same alpha": False,
    "a scaler fit on all 442 patients before the split lets the test patients influence training": True,
}
''',
    # The classic leak: the search (scaler included) is fit on every patient, test split included,
    # and the "test" error is then measured on patients the model was trained on.
    "ex_tune_lasso_alpha": '''
def tune_lasso_alpha(X_train, y_train, X_test, y_test):
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Lasso()),
        param_grid={"lasso__alpha": np.logspace(-2, 2, 13)},
        cv=5,
        scoring="neg_root_mean_squared_error",
    )
    search.fit(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))
    best_alpha = float(search.best_params_["lasso__alpha"])
    test_rmse = float(root_mean_squared_error(y_test, search.predict(X_test)))
    return search, best_alpha, test_rmse
''',
    # Forgets the scaler: lasso then penalises coefficients in clinical units, so it zeroes others.
    "ex_lasso_zeroed_features": '''
def zeroed_by_lasso(alpha):
    model = Lasso(alpha=alpha, max_iter=100_000).fit(X_train, y_train)
    return [name for name, coefficient in zip(X_train.columns, model.coef_) if coefficient == 0]
''',
    # Reads a lasso zero as proof of no effect.
    "ex_lasso_zero_meaning": '''
lasso_zero_meaning = {
    "zero coefficient": "A",
    "alpha value": "C",
}
''',
    # Calls the scaler's mean a setting (calling the solver's budget and tolerance hyperparameters is a
    # defensible gray label, so that alone would cost nothing).
    "ex_classify_linear_settings": '''
linear_settings = {
    "LinearRegression: coef_": "parameter",
    "LinearRegression: fit_intercept": "hyperparameter",
    "LinearRegression: positive": "hyperparameter",
    "LinearRegression: copy_X": "neither",
    "Ridge: alpha": "hyperparameter",
    "Ridge: intercept_": "parameter",
    "Ridge: solver": "neither",
    "Lasso: alpha": "hyperparameter",
    "Lasso: coef_": "parameter",
    "Lasso: max_iter": "hyperparameter",
    "Lasso: tol": "hyperparameter",
    "Lasso: random_state": "neither",
    "Lasso: n_features_in_": "neither",
    "Lasso: n_iter_": "neither",
    "StandardScaler: mean_": "neither",
    "RidgeCV: alphas": "hyperparameter",
    "RidgeCV: alpha_": "parameter",
}
''',
}
