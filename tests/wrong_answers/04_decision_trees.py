"""Plausible wrong answers for module 04. Each passes the visible test; the hidden test must
catch it (tests/test_grading.py checks that it loses points)."""

WRONG = {
    # Takes the most important feature as the root's: on the worked example they coincide, but
    # feature_importances_ sums over every split, so in general it points elsewhere.
    "ex_tree_root_split": '''
def root_split(tree, feature_names):
    if tree.tree_.node_count == 1:
        return None
    most_important = int(np.argmax(tree.feature_importances_))
    return str(feature_names[most_important]), float(tree.tree_.threshold[0])
''',
    # Treats the cap as the size: assumes every tree is full (2**depth leaves), and thinks fit
    # tunes the depth itself.
    "ex_tree_leaves_by_depth": '''
leaves_by_depth = {depth: 2**depth for depth in range(1, 9)}
why_growth_stops = "C"
''',
    # Fits the search on every aspirate, test rows included: the test score is no longer honest.
    "ex_tune_tree_depth_leaf": '''
tree_grid = {"max_depth": [2, 3, 4, 5, 6], "min_samples_leaf": [1, 2, 5, 10, 20]}
tree_search = GridSearchCV(DecisionTreeClassifier(random_state=0), tree_grid, cv=5)
tree_search.fit(X, y)
best_depth = tree_search.best_params_["max_depth"]
best_leaf = tree_search.best_params_["min_samples_leaf"]
tree_test_accuracy = tree_search.score(X_test, y_test)
''',
    # Calls the derived importances "neither", the seed a hyperparameter and the label set a
    # learned parameter.
    "ex_classify_tree_settings": '''
tree_settings = {
    "max_depth": "hyperparameter",
    "min_samples_leaf": "hyperparameter",
    "criterion": "hyperparameter",
    "ccp_alpha": "hyperparameter",
    "tree_.feature": "parameter",
    "tree_.threshold": "parameter",
    "tree_.value": "parameter",
    "feature_importances_": "neither",
    "random_state": "hyperparameter",
    "classes_": "parameter",
    "n_features_in_": "neither",
    "tree_search.best_params_['max_depth']": "hyperparameter",
}
''',
}
