"""Plausible wrong answers for module 03. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Skips the nearest stored row "because it is the patient itself": right for a training patient
    # predicting itself, wrong for a new patient, whose nearest stored row is a real neighbour.
    "ex_knn_predict_by_hand": '''
def knn_predict(X_stored, y_stored, X_new, k):
    X_stored, y_stored = np.asarray(X_stored, float), np.asarray(y_stored)
    predictions = []
    for row in np.asarray(X_new, float):
        distances = np.sqrt(((X_stored - row) ** 2).sum(axis=1))
        nearest = np.argsort(distances)[1:k + 1]
        predictions.append(int(y_stored[nearest].mean() > 0.5))
    return np.array(predictions)
''',
    # Thinks kNN keeps one value per measurement, like coef_, and that its size does not grow.
    "ex_what_knn_stores": '''
n_stored_values = X_train.shape[1]
stored_choices = {
    "what fit computes": "B",
    "twice the patients": "A",
    "k changed after fit": "A",
    "which measurement matters": "C",
}
''',
    # Fits the search on every patient ("more data, better choice of k"): the test patients help
    # choose k and scale the data, so the test score is no longer honest.
    "ex_tune_knn_k": '''
knn_search = GridSearchCV(
    make_pipeline(StandardScaler(), KNeighborsClassifier()),
    {"kneighborsclassifier__n_neighbors": [1, 3, 5, 7, 9, 11, 15, 21, 31, 41]},
    cv=CV,
)
knn_search.fit(X, y)
best_k = knn_search.best_params_["kneighborsclassifier__n_neighbors"]
test_accuracy = knn_search.score(X_test, y_test)
''',
    # The colleague's shortcut dressed up as a pipeline: the scaler was fit on all 569 patients
    # before cross-validation and is reused as it is.
    "ex_knn_scaling_inside_cv": '''
scaler = StandardScaler().fit(X)
knn = KNeighborsClassifier(n_neighbors=15)
honest_scores = cross_val_score(knn, scaler.transform(X_train), y_train, cv=CV)
honest_model = Pipeline([
    ("standardscaler", scaler),
    ("kneighborsclassifier", knn.fit(scaler.transform(X_train), y_train)),
])
leak_reason = "C"
''',
    # Every constructor argument counted as a hyperparameter, every name ending in "_" as a parameter.
    "ex_classify_knn_settings": '''
knn_classification = {
    "KNeighborsClassifier: n_neighbors": "hyperparameter",
    "KNeighborsClassifier: weights": "hyperparameter",
    "KNeighborsClassifier: metric": "hyperparameter",
    "KNeighborsClassifier: p": "hyperparameter",
    "KNeighborsClassifier: algorithm": "hyperparameter",
    "KNeighborsClassifier: leaf_size": "hyperparameter",
    "KNeighborsClassifier: n_jobs": "neither",
    "KNeighborsClassifier: classes_": "parameter",
    "KNeighborsClassifier: n_features_in_": "neither",
    "KNeighborsClassifier: n_samples_fit_": "parameter",
    "KNeighborsClassifier: _fit_X (the stored training rows)": "parameter",
    "StandardScaler (in the pipeline): mean_": "parameter",
}
''',
}
