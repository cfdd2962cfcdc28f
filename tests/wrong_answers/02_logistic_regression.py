"""Plausible wrong answers for module 02. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Fits on every aspirate, test split included: the odds ratios come from the wrong data.
    "ex_odds_ratio_per_sd": '''
def odds_ratio_per_sd(feature, C):
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C)).fit(X, y)
    coefficients = pd.Series(model[-1].coef_[0], index=X.columns)
    return float(np.exp(coefficients[feature]))
''',
    # Treats the seed as a knob, classes_ as learned, the scaler's mean as a mere setting (calling the
    # optimiser's settings hyperparameters is a defensible gray label and costs nothing).
    "ex_classify_logreg_settings": '''
classification = {
    "LogisticRegression: C": "hyperparameter",
    "LogisticRegression: l1_ratio": "hyperparameter",
    "LogisticRegression: class_weight": "hyperparameter",
    "LogisticRegression: coef_": "parameter",
    "LogisticRegression: intercept_": "parameter",
    "LogisticRegression: solver": "hyperparameter",
    "LogisticRegression: max_iter": "hyperparameter",
    "LogisticRegression: tol": "neither",
    "LogisticRegression: n_jobs": "neither",
    "LogisticRegression: random_state": "hyperparameter",
    "LogisticRegression: classes_": "parameter",
    "LogisticRegression: n_features_in_": "neither",
    "LogisticRegression: n_iter_": "neither",
    "StandardScaler: mean_": "neither",
    "StandardScaler: scale_": "parameter",
    "LogisticRegressionCV: C_": "hyperparameter",
}
''',
    # Accuracy "because it counts every aspirate": the do-nothing model's favourite score.
    "ex_screening_metric": '''
screening_scoring = "accuracy"
screening_reason = 1
''',
    # Searches (and so scales and cross-validates) on every aspirate, test split included, then
    # "reports" a test score the model has already seen.
    "ex_tune_logreg_C": '''
C_grid = np.logspace(-3, 3, 7)
search = GridSearchCV(
    make_pipeline(StandardScaler(), LogisticRegression()),
    {"logisticregression__C": C_grid},
    scoring="roc_auc",
    cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0),
    n_jobs=1,
)
search.fit(X, y)
best_C = search.best_params_["logisticregression__C"]
test_auc = search.score(X_test, y_test)
print(f"chosen C = {best_C:g}; test ROC AUC {test_auc:.3f}")
''',
}
