"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_odds_ratio_per_sd": [
        # A named Pipeline, the coefficient found by position, math.exp.
        '''
import math


def odds_ratio_per_sd(feature, C):
    model = Pipeline([("scale", StandardScaler()), ("logreg", LogisticRegression(C=C))])
    model.fit(X_train, y_train)
    position = list(X_train.columns).index(feature)
    return math.exp(model.named_steps["logreg"].coef_[0, position])
''',
        # Scaled by hand on the training split (the same model), fitted on a NumPy array.
        '''
def odds_ratio_per_sd(feature, C):
    scaled = StandardScaler().fit_transform(X_train)
    fitted = LogisticRegression(C=C).fit(scaled, y_train.to_numpy())
    return np.exp(fitted.coef_.ravel()[X_train.columns.get_loc(feature)]).item()
''',
    ],
    "ex_classify_logreg_settings": [
        # The other defensible label of every gray item.
        '''
classification = {
    "LogisticRegression: C": "hyperparameter",
    "LogisticRegression: l1_ratio": "hyperparameter",
    "LogisticRegression: class_weight": "hyperparameter",
    "LogisticRegression: coef_": "parameter",
    "LogisticRegression: intercept_": "parameter",
    "LogisticRegression: solver": "hyperparameter",
    "LogisticRegression: max_iter": "hyperparameter",
    "LogisticRegression: tol": "hyperparameter",
    "LogisticRegression: n_jobs": "neither",
    "LogisticRegression: random_state": "neither",
    "LogisticRegression: classes_": "neither",
    "LogisticRegression: n_features_in_": "neither",
    "LogisticRegression: n_iter_": "neither",
    "StandardScaler: mean_": "parameter",
    "StandardScaler: scale_": "parameter",
    "LogisticRegressionCV: C_": "parameter",
}
''',
        # Capitals, a mix of the gray labels, the dict built with dict.fromkeys.
        '''
classification = {
    **dict.fromkeys(["LogisticRegression: C", "LogisticRegression: l1_ratio", "LogisticRegression: class_weight",
                     "LogisticRegression: max_iter", "LogisticRegressionCV: C_"], "Hyperparameter"),
    **dict.fromkeys(["LogisticRegression: coef_", "LogisticRegression: intercept_", "StandardScaler: mean_",
                     "StandardScaler: scale_"], "PARAMETER"),
    **dict.fromkeys(["LogisticRegression: solver", "LogisticRegression: tol", "LogisticRegression: n_jobs",
                     "LogisticRegression: random_state", "LogisticRegression: classes_",
                     "LogisticRegression: n_features_in_", "LogisticRegression: n_iter_"], "Neither"),
}
''',
    ],
    "ex_screening_metric": [
        '''
screening_scoring = "recall"  # the other score that rewards finding the malignant masses
screening_reason = 3
''',
        '''
screening_scoring, screening_reason = "roc_auc", 3
''',
    ],
    "ex_tune_logreg_C": [
        # A hand-typed 1-3-10 grid, a named Pipeline, the grid as a list of one dict, AUC by hand.
        '''
C_grid = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30]
search = GridSearchCV(
    Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]),
    param_grid=[{"clf__C": C_grid}],
    scoring="roc_auc",
    cv=StratifiedKFold(5, shuffle=True, random_state=1),
    n_jobs=1,
)
search.fit(X_train, y_train)
best_C = search.best_params_["clf__C"]
test_auc = roc_auc_score(y_test, search.predict_proba(X_test)[:, 1])
print(f"chosen C = {best_C:g}; test ROC AUC {test_auc:.3f}")
''',
        # np.geomspace over six powers of ten, another seed for the folds.
        '''
C_grid = np.geomspace(1e-4, 1e2, 13)
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)
search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()), {"logisticregression__C": C_grid},
                      scoring="roc_auc", cv=folds, n_jobs=1).fit(X_train, y_train)
best_C = float(search.best_params_["logisticregression__C"])
test_auc = float(search.score(X_test, y_test))
''',
        # A hand-typed 1-2-5 series spanning four powers of ten.
        '''
C_grid = np.array([0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10])
search = GridSearchCV(
    make_pipeline(StandardScaler(), LogisticRegression()),
    {"logisticregression__C": C_grid},
    scoring="roc_auc",
    cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0),
    n_jobs=1,
)
search.fit(X_train, y_train)
best_C = search.best_params_["logisticregression__C"]
malignant_probability = search.best_estimator_.predict_proba(X_test)[:, 1]
test_auc = roc_auc_score(y_test, malignant_probability)
''',
    ],
}
