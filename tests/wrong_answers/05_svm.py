"""Plausible wrong answers for module 05. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Uses the distance instead of the squared distance in the RBF kernel: right at a support
    # vector (distance 0) and far from all of them, wrong everywhere in between.
    "ex_rbf_decision_function": '''
def rbf_decision_function(X_new, support_vectors, dual_coef, intercept, gamma):
    X_new = np.asarray(X_new, dtype=float)
    distance = np.sqrt(((X_new[:, None, :] - np.asarray(support_vectors)[None, :, :]) ** 2).sum(axis=2))
    return np.exp(-gamma * distance) @ np.asarray(dual_coef)[0] + np.asarray(intercept)[0]
''',
    # Forgets the scaler: the RBF kernel then measures distances in raw pixel units.
    "ex_count_support_vectors": '''
def count_support_vectors(C):
    model = SVC(C=C).fit(X_train, y_train)
    return int(len(model.support_vectors_))
''',
    # Right direction, wrong knob: the reach of a support vector is gamma's job, not C's.
    "ex_explain_c_support_vectors": '''
raising_C_answer = "D"
''',
    # The classic leak: the search (scaler included) is fitted on every aspirate, test split too.
    "ex_tune_svm_c_gamma": '''
svm_search = GridSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    param_grid={"svc__C": np.logspace(-1, 2, 4), "svc__gamma": np.logspace(-4, -1, 4)},
    cv=5,
)
svm_search.fit(X, y)
best_C = svm_search.best_params_["svc__C"]
best_gamma = svm_search.best_params_["svc__gamma"]
svm_test_accuracy = svm_search.score(X_test, y_test)
''',
    # Calls every constructor argument a hyperparameter (cache_size, random_state) and forgets
    # that the scaler learns its scale_ from the data.
    "ex_classify_svm_settings": '''
svm_classification = {
    "SVC: kernel": "hyperparameter",
    "SVC: C": "hyperparameter",
    "SVC: gamma": "hyperparameter",
    "SVC: degree (kernel='poly')": "hyperparameter",
    "SVC: class_weight": "hyperparameter",
    "SVC: support_vectors_": "parameter",
    "SVC: dual_coef_": "parameter",
    "SVC: intercept_": "parameter",
    "SVC: n_support_": "parameter",
    "SVC: cache_size": "hyperparameter",
    "SVC: verbose": "neither",
    "SVC: random_state": "hyperparameter",
    "StandardScaler: scale_": "neither",
}
''',
}
