"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_rbf_decision_function": [
        # The expansion |x - s|² = |x|² + |s|² - 2 x·s, with einsum instead of broadcasting.
        '''
def rbf_decision_function(X_new, support_vectors, dual_coef, intercept, gamma):
    X_new = np.asarray(X_new, dtype=float)
    sv = np.asarray(support_vectors, dtype=float)
    squared = np.einsum("ij,ij->i", X_new, X_new)[:, None] + np.einsum("ij,ij->i", sv, sv)[None, :] - 2 * X_new @ sv.T
    kernel = np.exp(-gamma * np.maximum(squared, 0.0))
    return kernel.dot(np.ravel(dual_coef)) + float(np.ravel(intercept)[0])
''',
        # SciPy's pairwise squared distances, then a weighted sum row by row.
        '''
from scipy.spatial.distance import cdist


def rbf_decision_function(X_new, support_vectors, dual_coef, intercept, gamma):
    kernel = np.exp(-gamma * cdist(np.asarray(X_new, dtype=float), np.asarray(support_vectors, dtype=float),
                                   "sqeuclidean"))
    weights = np.asarray(dual_coef).reshape(-1)
    return np.array([row @ weights for row in kernel]) + np.asarray(intercept).reshape(-1)[0]
''',
    ],
    "ex_count_support_vectors": [
        # Counts per class from n_support_, the step read by position.
        '''
def count_support_vectors(C):
    model = make_pipeline(StandardScaler(), SVC(C=C))
    model.fit(X_train, y_train)
    return int(model[-1].n_support_.sum())
''',
        # A hand-built Pipeline with its own step names, every default spelt out, support_ indices.
        '''
def count_support_vectors(C):
    steps = [("scale", StandardScaler()), ("svm", SVC(C=C, kernel="rbf", gamma="scale"))]
    fitted = Pipeline(steps).fit(X_train, y_train)
    return len(fitted.named_steps["svm"].support_)
''',
    ],
    "ex_explain_c_support_vectors": [
        # Lower case is accepted ("capitals do not matter" for letters too).
        '''
raising_C_answer = "b"
''',
        # Surrounding spaces and a comment.
        '''
raising_C_answer = " B "  # a violation costs more, so fewer masses end up on or inside the margin
''',
    ],
    "ex_tune_svm_c_gamma": [
        # Hand-typed decades, an explicit unshuffled StratifiedKFold, the choice read from best_estimator_,
        # the test accuracy from accuracy_score.
        '''
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold

svm_search = GridSearchCV(
    make_pipeline(StandardScaler(), SVC(kernel="rbf")),
    param_grid={"svc__C": [0.1, 1.0, 10.0, 100.0], "svc__gamma": [0.0001, 0.001, 0.01, 0.1]},
    cv=StratifiedKFold(n_splits=5),
    scoring="accuracy",
)
svm_search.fit(X_train, y_train)
chosen_svc = svm_search.best_estimator_.named_steps["svc"]
best_C, best_gamma = chosen_svc.C, chosen_svc.gamma
svm_test_accuracy = accuracy_score(y_test, svm_search.predict(X_test))
print(f"chosen: C = {best_C:g}, gamma = {best_gamma:g}; test accuracy {svm_test_accuracy:.3f}")
''',
        # Five geometric steps per knob over four decades, seeded shuffled folds, unpacked best_params_.
        '''
from sklearn.model_selection import StratifiedKFold

grid = {"svc__C": np.geomspace(0.01, 100, 5), "svc__gamma": np.geomspace(1e-5, 1e-1, 5)}
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
svm_search = GridSearchCV(make_pipeline(StandardScaler(), SVC()), grid, cv=folds).fit(X_train, y_train)
best_C, best_gamma = (svm_search.best_params_[name] for name in ("svc__C", "svc__gamma"))
svm_test_accuracy = float(svm_search.score(X_test, y_test))
''',
    ],
    "ex_classify_svm_settings": [
        # Capitalised labels; n_support_ as a parameter (one side of the gray case).
        '''
svm_classification = {
    "SVC: kernel": "Hyperparameter",
    "SVC: C": "Hyperparameter",
    "SVC: gamma": "Hyperparameter",
    "SVC: degree (kernel='poly')": "Hyperparameter",
    "SVC: class_weight": "Hyperparameter",
    "SVC: support_vectors_": "Parameter",
    "SVC: dual_coef_": "Parameter",
    "SVC: intercept_": "Parameter",
    "SVC: n_support_": "Parameter",
    "SVC: cache_size": "Neither",
    "SVC: verbose": "Neither",
    "SVC: random_state": "Neither",
    "StandardScaler: scale_": "Parameter",
}
''',
        # Built from lists, labels in capitals with stray spaces; n_support_ as neither (the other side).
        '''
chosen = ["SVC: kernel", "SVC: C", "SVC: gamma", "SVC: degree (kernel='poly')", "SVC: class_weight"]
learned = ["SVC: support_vectors_", "SVC: dual_coef_", "SVC: intercept_", "StandardScaler: scale_"]
other = ["SVC: n_support_", "SVC: cache_size", "SVC: verbose", "SVC: random_state"]
svm_classification = {
    **{item: "HYPERPARAMETER " for item in chosen},
    **{item: " PARAMETER" for item in learned},
    **{item: "NEITHER" for item in other},
}
''',
    ],
}
