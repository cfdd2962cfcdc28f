"""Plausible wrong answers for module 09 (the mock exam). Each passes the visible test; the hidden
test must catch it (tests/test_grading.py checks that it loses points). The course's grading tests
submit each as learner ``wrong-<grade_id>``, so the seeded items are graded on that id's paper; each
answer is written for whichever item of the bank the paper shows (tests/test_exam_fairness.py runs
it on every item, tests/test_exam_bank.py grades it with nbgrader on every item)."""

WRONG = {
    # The naive rule: every fitted attribute (a name ending in "_") is a learned parameter, every
    # constructor argument a hyperparameter. Bookkeeping taken for weights, and speed or memory
    # knobs for hyperparameters: two of each on every item. (The optimiser-route settings it calls
    # "hyperparameter" are accepted: they are gray.)
    "ex_exam_classify_mixed": '''
import re

mixed_labels = {}
for item in exam.classify_items:
    name = item.split(": ", 1)[1].split(" (")[0]
    mixed_labels[item] = "parameter" if re.search(r"\\w_(\\W|$)", name) else "hyperparameter"
''',
    # The naive count: one output per class, so two for a binary classifier (every paper has one
    # binary and one multi-class model, so this costs the same point everywhere).
    "ex_exam_count_learned": '''
n_features, n_classes, hidden = exam.mlp_layers
sizes = [n_features, *hidden, n_classes]
linear_features, linear_classes = exam.linear_shape
learned_counts = {
    "mlp": sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])),
    "linear": linear_classes * (linear_features + 1),
}
print(learned_counts)
''',
    # The model fitted on raw clinical units: the penalty then hits features by their units, and a
    # different set survives (or, for the ridge, other weights look largest).
    "ex_exam_penalty_survivors": '''
raw_model = penalty.model()
if "max_iter" in raw_model.get_params():
    raw_model.set_params(max_iter=100_000)
raw_model.fit(penalty.split.X_train, penalty.split.y_train)
raw_weights = pd.Series(raw_model.coef_, index=penalty.split.X_train.columns)
if penalty.asks == "nonzero":
    kept_features = list(raw_weights.index[raw_weights != 0])
else:
    kept_features = list(raw_weights.abs().sort_values(ascending=False).index[:3])
print(kept_features)
''',
    # Falls into the trap: the colleague's data, standardised on every row before the split. The
    # pipeline still has its scaler (so the visible test is happy), but the held-out rows have
    # leaked into X_train_ready, and the "test score" is measured on leaked data too.
    "ex_exam_tune": '''
tune_grid = np.logspace(-2, 3, 6)
tune_search = GridSearchCV(
    make_pipeline(StandardScaler(), tuning.model()),
    {tuning.param_key: tune_grid},
    scoring=tuning.scoring,
    cv=tuning.folds(),
    n_jobs=1,
)
tune_search.fit(X_train_ready, tuning.split.y_train)
tune_best = tune_search.best_params_[tuning.param_key]
tune_test_score = tune_search.score(X_test_ready, tuning.split.y_test)
print(f"chosen {tuning.param} = {tune_best:g}; test score {tune_test_score:.3f}")
''',
    # Forgets the refit after the search (and so undercounts the nested run), and believes a random
    # search tries no more values of C than the grid.
    "ex_exam_search_budget": '''
candidates = budget["n_C"] * budget["n_gamma"] * budget.get("n_class_weight", 1)
folds = budget["inner_folds"] * budget.get("inner_repeats", 1)
budget_answers = {
    "grid_fits": folds * candidates,
    "nested_fits": budget["outer_folds"] * folds * candidates,
    "grid_distinct_C": budget["n_C"],
    "random_distinct_C": budget["n_C"],
}
print(budget_answers)
''',
    # The tempting first option of every scenario (lettered the same on every paper): accuracy is
    # fine, defaults are expert-chosen, nothing is wrong with re-running on the test split, ...
    "ex_exam_scenarios": '''
scenario_answers = {key: "A" for key in SCENARIOS}
print(scenario_answers)
''',
    # The naive rule again: a seed or a speed knob of a search taken for a hyperparameter. (Every
    # other label it gives is defensible: the gray items accept it.)
    "ex_exam_gray_cases": '''
import re

gray_exam_labels = {}
for item in exam.gray_items:
    name = item.split(": ", 1)[1].split(" (")[0]
    gray_exam_labels[item] = "parameter" if re.search(r"\\w_(\\W|$)", name) else "hyperparameter"
''',
}
