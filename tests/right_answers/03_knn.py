"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_knn_predict_by_hand": [
        # Every distance at once by broadcasting, one argsort per row.
        '''
def knn_predict(X_stored, y_stored, X_new, k):
    X_stored, X_new = np.asarray(X_stored, dtype=float), np.asarray(X_new, dtype=float)
    differences = X_new[:, None, :] - X_stored[None, :, :]
    distances = np.sqrt((differences**2).sum(axis=2))
    nearest = np.argsort(distances, axis=1, kind="stable")[:, :k]
    votes = np.asarray(y_stored)[nearest]
    return (votes.mean(axis=1) > 0.5).astype(int)
''',
        # Squared distances (same order, no square root) and a bincount vote into a preallocated array.
        '''
def knn_predict(X_stored, y_stored, X_new, k):
    labels = np.asarray(y_stored).astype(int)
    result = np.empty(len(X_new), dtype=int)
    for i, row in enumerate(np.asarray(X_new)):
        squared = np.sum((np.asarray(X_stored) - row) ** 2, axis=1)
        nearest = np.argsort(squared, kind="stable")[:k]
        result[i] = np.bincount(labels[nearest], minlength=2).argmax()
    return result
''',
        # np.linalg.norm, Python's sorted and an explicit majority count.
        '''
def knn_predict(X_stored, y_stored, X_new, k):
    stored, labels = np.asarray(X_stored), np.asarray(y_stored)
    predictions = []
    for row in np.asarray(X_new):
        distances = np.linalg.norm(stored - row, axis=1)
        nearest = sorted(range(len(distances)), key=lambda j: distances[j])[:k]
        malignant_votes = sum(int(labels[j]) for j in nearest)
        predictions.append(1 if 2 * malignant_votes > k else 0)
    return np.array(predictions)
''',
    ],
    "ex_what_knn_stores": [
        # Counted from the fitted model's bookkeeping; lower-case letters.
        '''
n_stored_values = model[-1].n_samples_fit_ * model[-1].n_features_in_
stored_choices = {
    "what fit computes": "b",
    "twice the patients": "b",
    "k changed after fit": "a",
    "which measurement matters": "c",
}
''',
        # Counted from the stored table itself; the template filled in place.
        '''
n_stored_values = int(knn._fit_X.size)
stored_choices = {
    "what fit computes": None,
    "twice the patients": None,
    "k changed after fit": None,
    "which measurement matters": None,
}
stored_choices.update({"what fit computes": "B", "twice the patients": "B"})
stored_choices["k changed after fit"] = "A"
stored_choices["which measurement matters"] = " C"
''',
    ],
    "ex_tune_knn_k": [
        # A named Pipeline, a range of odd k, accuracy computed by hand.
        '''
from sklearn.metrics import accuracy_score

pipeline = Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier())])
knn_search = GridSearchCV(pipeline, param_grid={"knn__n_neighbors": list(range(1, 32, 2))}, cv=CV)
knn_search.fit(X_train, y_train)
best_k = knn_search.best_estimator_.named_steps["knn"].n_neighbors
test_accuracy = accuracy_score(y_test, knn_search.predict(X_test))
''',
        # A NumPy grid, explicit accuracy scoring, the refit pipeline scored directly.
        '''
knn_search = GridSearchCV(
    estimator=make_pipeline(StandardScaler(), KNeighborsClassifier()),
    param_grid={"kneighborsclassifier__n_neighbors": np.arange(3, 52, 4)},
    scoring="accuracy",
    cv=CV,
).fit(X_train, y_train)
best_k = knn_search.best_params_["kneighborsclassifier__n_neighbors"]
test_accuracy = knn_search.best_estimator_.score(X_test, y_test)
''',
    ],
    "ex_knn_scaling_inside_cv": [
        # A named Pipeline, cross_validate instead of cross_val_score, a lower-case letter.
        '''
from sklearn.model_selection import cross_validate

honest_model = Pipeline([("scaler", StandardScaler()), ("knn", KNeighborsClassifier(n_neighbors=15))])
honest_scores = cross_validate(honest_model, X_train, y_train, cv=CV)["test_score"]
honest_model = honest_model.fit(X_train, y_train)
leak_reason = "c"
''',
        # The scores as a plain list; the letter with stray spaces.
        '''
honest_model = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=15))
honest_scores = [float(s) for s in cross_val_score(honest_model, X_train, y_train, cv=CV, scoring="accuracy")]
honest_model.fit(X_train, y_train)
leak_reason = " C "
''',
    ],
    "ex_classify_knn_settings": [
        # The other defensible label of the gray item (the stored rows as data, not a weight); capitals.
        '''
knn_classification = {
    "KNeighborsClassifier: n_neighbors": "Hyperparameter",
    "KNeighborsClassifier: weights": "Hyperparameter",
    "KNeighborsClassifier: metric": "Hyperparameter",
    "KNeighborsClassifier: p": "Hyperparameter",
    "KNeighborsClassifier: algorithm": "Neither",
    "KNeighborsClassifier: leaf_size": "Neither",
    "KNeighborsClassifier: n_jobs": "Neither",
    "KNeighborsClassifier: classes_": "Neither",
    "KNeighborsClassifier: n_features_in_": "Neither",
    "KNeighborsClassifier: n_samples_fit_": "Neither",
    "KNeighborsClassifier: _fit_X (the stored training rows)": "Neither",
    "StandardScaler (in the pipeline): mean_": "Parameter",
}
''',
        # The template filled by groups.
        '''
knn_classification = {
    "KNeighborsClassifier: n_neighbors": None,
    "KNeighborsClassifier: weights": None,
    "KNeighborsClassifier: metric": None,
    "KNeighborsClassifier: p": None,
    "KNeighborsClassifier: algorithm": None,
    "KNeighborsClassifier: leaf_size": None,
    "KNeighborsClassifier: n_jobs": None,
    "KNeighborsClassifier: classes_": None,
    "KNeighborsClassifier: n_features_in_": None,
    "KNeighborsClassifier: n_samples_fit_": None,
    "KNeighborsClassifier: _fit_X (the stored training rows)": None,
    "StandardScaler (in the pipeline): mean_": None,
}
for name in ("n_neighbors", "weights", "metric", "p"):
    knn_classification[f"KNeighborsClassifier: {name}"] = "hyperparameter"
for name in ("algorithm", "leaf_size", "n_jobs", "classes_", "n_features_in_", "n_samples_fit_"):
    knn_classification[f"KNeighborsClassifier: {name}"] = "neither"
knn_classification["KNeighborsClassifier: _fit_X (the stored training rows)"] = "PARAMETER"
knn_classification["StandardScaler (in the pipeline): mean_"] = "parameter"
''',
    ],
}
