"""Correct answers written differently from the solution; each must earn full marks (tests/test_grading.py)."""

RIGHT = {
    "ex_tree_root_split": [
        # A leaf has no feature (TREE_UNDEFINED, -2); .item() for the plain float.
        '''
def root_split(tree, feature_names):
    learned = tree.tree_
    if learned.feature[0] < 0:
        return None
    return str(feature_names[learned.feature[0]]), learned.threshold[0].item()
''',
        # A tree of one node learned no split; the names as a plain list.
        '''
def root_split(tree, feature_names):
    if tree.tree_.node_count == 1:
        return None
    names = list(feature_names)
    index = int(tree.tree_.feature[0])
    return names[index], float(tree.tree_.threshold[0])
''',
    ],
    "ex_tree_leaves_by_depth": [
        # A loop reading the learned tree's own leaf count; a lower-case letter.
        '''
leaves_by_depth = {}
for depth in range(1, 9):
    fitted = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_train, y_train)
    leaves_by_depth[depth] = int(fitted.tree_.n_leaves)
why_growth_stops = "b"
''',
        # Leaves counted as the nodes without children; the letter with a space.
        '''
def count_leaves(depth):
    fitted = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_train, y_train)
    return int((fitted.tree_.children_left == -1).sum())


leaves_by_depth = {depth: count_leaves(depth) for depth in [1, 2, 3, 4, 5, 6, 7, 8]}
why_growth_stops = " B"
''',
    ],
    "ex_tune_tree_depth_leaf": [
        # Keyword arguments, a range for the depths, the refit tree read for the answers.
        '''
tree_search = GridSearchCV(
    estimator=DecisionTreeClassifier(random_state=0),
    param_grid=dict(max_depth=range(2, 7), min_samples_leaf=[1, 2, 5, 10, 20]),
    cv=5,
    scoring="accuracy",
)
tree_search.fit(X_train, y_train)
best_depth = tree_search.best_estimator_.max_depth
best_leaf = tree_search.best_estimator_.min_samples_leaf
tree_test_accuracy = float(tree_search.best_estimator_.score(X_test, y_test))
''',
        # Explicit stratified folds (what cv=5 means for a classifier), accuracy computed by hand.
        '''
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold

tree_search = GridSearchCV(
    DecisionTreeClassifier(random_state=0),
    {"max_depth": [2, 3, 4, 5, 6], "min_samples_leaf": [1, 2, 5, 10, 20]},
    cv=StratifiedKFold(n_splits=5),
)
tree_search = tree_search.fit(X_train, y_train)
best_depth, best_leaf = tree_search.best_params_["max_depth"], tree_search.best_params_["min_samples_leaf"]
tree_test_accuracy = accuracy_score(y_test, tree_search.predict(X_test))
''',
    ],
    "ex_classify_tree_settings": [
        # The other defensible label of both gray items; capitals.
        '''
tree_settings = {
    "max_depth": "Hyperparameter",
    "min_samples_leaf": "Hyperparameter",
    "criterion": "Hyperparameter",
    "ccp_alpha": "Hyperparameter",
    "tree_.feature": "Parameter",
    "tree_.threshold": "Parameter",
    "tree_.value": "Parameter",
    "feature_importances_": "Neither",
    "random_state": "Neither",
    "classes_": "Neither",
    "n_features_in_": "Neither",
    "tree_search.best_params_['max_depth']": "Parameter",
}
''',
        # "neither" for the derived property, the solution's label for the searched depth; built by groups.
        '''
tree_settings = dict.fromkeys(["max_depth", "min_samples_leaf", "criterion", "ccp_alpha",
                               "tree_search.best_params_['max_depth']"], "hyperparameter")
tree_settings.update(dict.fromkeys(["tree_.feature", "tree_.threshold", "tree_.value"], "parameter"))
tree_settings.update(dict.fromkeys(["feature_importances_", "random_state", "classes_", "n_features_in_"], "neither"))
''',
    ],
}
