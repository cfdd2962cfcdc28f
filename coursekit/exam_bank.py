"""The mock exam's item bank: which items exist, what each asks, and how each paper draws them.

The notebook of module 09 has a fixed set of cells (nbgrader grades cells by fixed ``grade_id``s),
one *slot* per exercise. Each slot has several interchangeable *items* in this bank; a paper shows,
in each slot, the item drawn for its learner and attempt (``coursekit.exam.ExamPaper.item``), and the
slot's hidden test grades whichever item that is. Every item of a slot asks for an answer of the same
form (the same variable, the same keys), tests the same competency at the same difficulty (one
binary and one multi-class model to count, the same mix of labels to classify, the same checks of a
tuning task), and costs the same points for the same mistake (tests/test_exam_fairness.py).

This module holds question text only: item names, the settings to label and the scenarios with their
options, never a label or a letter that answers them. The keys live in the hidden tests of
``solutions/09_mock_exam`` (COURSE.md: "Answer keys live only in hidden tests").
"""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of item the certification sets (the list).
KINDS = ("classify settings", "write tuning code", "spot the hygiene mistake", "read a result", "gray area")


@dataclass(frozen=True)
class Item:
    """One item of the bank: the slot it fills, what it tests, and its name for reports."""

    id: str
    slot: str
    competencies: tuple[str, ...]
    kind: str
    title: str


@dataclass(frozen=True)
class Slot:
    """A fixed place in the exam notebook (section, answer cell, test cells) and its items.

    The first item is the one attempt 1 of every learner draws: the paper module 09 set before the
    bank existed, so a learner's first attempt is the paper they always had."""

    name: str
    section: int
    answer_cell: str
    test_cells: tuple[str, ...]
    items: tuple[Item, ...]


def _items(slot: str, competencies: tuple[str, ...], kind: str, *titles: tuple[str, str]) -> tuple[Item, ...]:
    return tuple(Item(item_id, slot, competencies, kind, title) for item_id, title in titles)


SLOTS: dict[str, Slot] = {
    slot.name: slot
    for slot in (
        Slot("classify", 1, "ex_exam_classify_mixed", ("test_exam_classify_mixed",), _items(
            "classify", ("classify-settings",), "classify settings",
            ("classify-a", "twenty settings: elastic net, neighbours, trees, SVR, networks, scaler, pipeline"),
            ("classify-b", "twenty settings: ridge, neighbours, forests, SVC, networks, logistic regression"),
            ("classify-c", "twenty settings: lasso, neighbours, trees, SVMs, networks, scaler"),
        )),
        Slot("count", 2, "ex_exam_count_learned", ("test_exam_count_learned",), _items(
            "count", ("definitions",), "read a result",
            ("count-a", "a multi-class network and a binary logistic regression"),
            ("count-b", "a binary network and a multi-class logistic regression"),
            ("count-c", "a binary network and a multi-class linear SVM (one-vs-rest)"),
        )),
        Slot("penalty", 3, "ex_exam_penalty_survivors", ("test_exam_penalty_survivors",), _items(
            "penalty", ("regularisation",), "read a result",
            ("penalty-lasso", "the features a lasso keeps"),
            ("penalty-elasticnet", "the features an elastic net keeps"),
            ("penalty-ridge", "the three largest weights of a ridge regression"),
        )),
        Slot("tune", 4, "ex_exam_tune", ("test_exam_tune", "test_exam_tune_hygiene"), _items(
            "tune", ("tuning-code", "tuning-hygiene"), "write tuning code",
            ("tune-svc", "C of an RBF SVM for malignant aspirates, balanced accuracy"),
            ("tune-logistic", "C of a logistic regression for malignant aspirates, ROC AUC"),
            ("tune-ridge", "alpha of a ridge regression for diabetes progression, R²"),
        )),
        Slot("budget", 5, "ex_exam_search_budget", ("test_exam_search_budget",), _items(
            "budget", ("search-strategies",), "read a result",
            ("budget-grid", "a grid over C and gamma, nested in an outer cross-validation"),
            ("budget-three", "a grid over C, gamma and class_weight, nested"),
            ("budget-repeated", "a grid over C and gamma with repeated inner folds, nested"),
        )),
        Slot("scenarios", 6, "ex_exam_scenarios", ("test_exam_scenarios",), _items(
            "scenarios", ("tuning-hygiene",), "spot the hygiene mistake",
            ("scenarios-a", "imbalance, defaults, test-set reuse, prepared data"),
            ("scenarios-b", "threshold, feature selection, early stopping, repeated patients"),
            ("scenarios-c", "seed shopping, imputation, small data, an unfair baseline"),
        )),
        Slot("gray", 7, "ex_exam_gray_cases", ("test_exam_gray_cases",), _items(
            "gray", ("gray-areas",), "gray area",
            ("gray-a", "LassoCV, BayesianRidge, a Gaussian process, random and grid search"),
            ("gray-b", "RidgeCV, ARD, a Gaussian-process classifier, LassoCV, grid search"),
            ("gray-c", "LogisticRegressionCV, BayesianRidge, a Gaussian process, halving and random search"),
        )),
    )
}
ITEMS: dict[str, Item] = {item.id: item for slot in SLOTS.values() for item in slot.items}

# Section 1: twenty settings per item, each item with the same mix (checked against the hidden key
# by tests/test_exam_fairness.py), listed in no particular order.
CLASSIFY_SETTINGS: dict[str, tuple[str, ...]] = {
    "classify-a": (
        "ElasticNet: l1_ratio", "ElasticNet: intercept_", "Lasso: selection ('cyclic' or 'random' coordinate order)",
        "LinearRegression: n_jobs", "LogisticRegression: warm_start", "RadiusNeighborsClassifier: radius",
        "KNeighborsRegressor: weights ('uniform' or 'distance')", "DecisionTreeRegressor: min_samples_split",
        "DecisionTreeRegressor: tree_.children_left (the learned shape)", "DecisionTreeClassifier: max_leaf_nodes",
        "DecisionTreeClassifier: n_classes_", "SVR: epsilon", "SVR: dual_coef_", "SVC: shrinking",
        "MLPRegressor: intercepts_", "MLPClassifier: beta_1 (Adam's momentum)", "MLPClassifier: best_loss_",
        "StandardScaler: var_", "Pipeline: memory (cache of fitted steps)", "GridSearchCV: best_estimator_.coef_",
    ),
    "classify-b": (
        "Ridge: alpha", "Ridge: coef_", "Ridge: solver ('cholesky' or 'lsqr')", "RandomForestClassifier: n_jobs",
        "LogisticRegression: class_weight", "LogisticRegression: intercept_", "LogisticRegression: n_iter_",
        "LogisticRegression: solver ('lbfgs' or 'newton-cg')", "KNeighborsClassifier: n_neighbors",
        "KNeighborsClassifier: n_samples_fit_", "DecisionTreeClassifier: criterion ('gini' or 'entropy')",
        "DecisionTreeClassifier: tree_.threshold (the learned split points)",
        "RandomForestClassifier: max_features (features tried at each split)", "SVC: gamma",
        "SVC: support_vectors_", "SVC: verbose", "MLPClassifier: learning_rate_init", "MLPClassifier: coefs_",
        "Lasso: tol (the stopping tolerance)", "StandardScaler: mean_",
    ),
    "classify-c": (
        "Lasso: alpha", "Lasso: coef_", "ElasticNet: selection ('cyclic' or 'random' coordinate order)",
        "LogisticRegression: max_iter", "KNeighborsClassifier: n_jobs", "KNeighborsRegressor: p (the Minkowski power)",
        "DecisionTreeRegressor: max_depth", "DecisionTreeRegressor: tree_.value (the learned leaf values)",
        "DecisionTreeClassifier: ccp_alpha", "SVR: C", "SVR: shrinking", "SVC: intercept_", "SVC: n_features_in_",
        "LinearSVC: coef_", "MLPRegressor: hidden_layer_sizes", "MLPRegressor: coefs_", "MLPRegressor: n_iter_",
        "MLPClassifier: alpha (the L2 penalty)", "MLPClassifier: verbose", "StandardScaler: scale_",
    ),
}

# Section 7: nine gray-area items per paper, the same mix on each.
GRAY_SETTINGS: dict[str, tuple[str, ...]] = {
    "gray-a": (
        "LassoCV: alphas (the candidates)", "LassoCV: alpha_",
        "BayesianRidge: lambda_ (precision of the weights, estimated in fit)",
        "BayesianRidge: alpha_2 (rate of a hyper-prior)",
        "GaussianProcessRegressor: kernel_ length scale after fit (marginal likelihood maximised)",
        "GaussianProcessRegressor: n_restarts_optimizer", "RandomizedSearchCV: n_iter (the budget)",
        "RandomizedSearchCV: random_state", "GridSearchCV: best_params_['svc__C']",
    ),
    "gray-b": (
        "RidgeCV: alphas (the candidates)", "RidgeCV: alpha_",
        "ARDRegression: lambda_ (one precision per weight, estimated in fit)",
        "ARDRegression: lambda_1 (shape of a hyper-prior)",
        "GaussianProcessClassifier: kernel_ length scale after fit (marginal likelihood maximised)",
        "GaussianProcessClassifier: n_restarts_optimizer", "LassoCV: n_alphas (how many candidates)",
        "GridSearchCV: n_jobs", "GridSearchCV: best_params_['decisiontreeclassifier__max_depth']",
    ),
    "gray-c": (
        "LogisticRegressionCV: Cs (the candidates)", "LogisticRegressionCV: C_",
        "BayesianRidge: alpha_ (precision of the noise, estimated in fit)",
        "BayesianRidge: lambda_1 (shape of a hyper-prior)",
        "GaussianProcessRegressor: kernel_ noise level after fit (marginal likelihood maximised)",
        "BayesianRidge: max_iter (iterations of the evidence maximisation)",
        "HalvingRandomSearchCV: n_candidates (the budget)", "HalvingRandomSearchCV: random_state",
        "RandomizedSearchCV: best_params_['ridge__alpha']",
    ),
}

# Section 6: four scenarios per paper. Options are lettered A, B, ... in the order given here, on
# every paper (a letter means the same option whichever paper grades it).
SCENARIOS: dict[str, dict[str, tuple[str, list[str]]]] = {
    "scenarios-a": {
        "imbalance": (
            "A sepsis early-warning model is tuned on ward data where 3 % of admissions develop sepsis. The "
            "grid search uses `scoring='accuracy'` and the best candidate scores 0.97. What should the team do?",
            [
                "Nothing: 0.97 is excellent, and accuracy rightly counts every admission equally.",
                "Choose, before looking at results, a score that rewards finding the septic patients (recall at a "
                "clinically set threshold, ROC AUC, average precision), re-run the search with it, and consider "
                "`class_weight='balanced'` as one more hyperparameter to search.",
                "Raise the number of folds from 5 to 10, so that accuracy is estimated more precisely.",
                "Drop most non-septic admissions from the test split so that it is balanced, and report accuracy "
                "there.",
            ],
        ),
        "defaults": (
            "A report uses an RBF SVM with scikit-learn's defaults (`C=1.0`, `gamma='scale'`) and says: \"we tuned "
            "nothing, so our test score is not optimistic, and the model is as good as an SVM gets on these "
            "data\". Nothing else was chosen on the test split. Which assessment is right?",
            [
                "Both claims hold: defaults are set by experts, so they cannot overfit and need no tuning.",
                "The first claim holds, the second does not: the test score is honest, but defaults are generic "
                "guesses, and C and gamma chosen by cross-validation on the training split may do much better.",
                "Both claims fail: using defaults is itself a form of test-set leakage.",
                "The second claim holds because `gamma='scale'` adapts to the data, so no hyperparameter is left "
                "that matters.",
            ],
        ),
        "test_reuse": (
            "After seeing a test ROC AUC of 0.81, an analyst widens the grid, adds two features and re-runs; after "
            "five such rounds the test ROC AUC is 0.86, and that number goes in the report. What is wrong?",
            [
                "Nothing, since every round tuned by cross-validation on the training split only.",
                "Only adding features is a problem; widening the grid after seeing the test score is ordinary "
                "tuning.",
                "The grid should have been log-spaced from the start; with a log grid, repeated rounds are fine.",
                "Choices were made by looking at the test split, which has become a validation set: 0.86 is "
                "optimistic. An untouched split, or nested cross-validation of the whole procedure, gives an "
                "honest estimate.",
            ],
        ),
        "prepared_data": (
            "Why should the tuning task of Section 4 not use the colleague's `X_train_ready`?",
            [
                "Because a StandardScaler must never be combined with an SVM.",
                "Because standardising twice (outside and again inside the pipeline) distorts the values.",
                "Because its scaler learned `mean_` and `scale_` from every row of the table, test split and "
                "validation folds included: held-out rows leak into training. The scaler belongs inside the "
                "cross-validated pipeline.",
                "It could be used: a scaler's mean and scale are preprocessing settings, not learned parameters.",
            ],
        ),
    },
    "scenarios-b": {
        "threshold": (
            "A team tunes `C` of a logistic regression by cross-validation on the training split, then tries 50 "
            "probability thresholds on the test split, keeps the one with the best F1 and reports that F1. What "
            "should they have done?",
            [
                "Nothing else: `C` was tuned by cross-validation, and a threshold is not a hyperparameter.",
                "Treated the threshold as one more choice made on training data (on validation folds, or inside "
                "the cross-validation), and scored the test split once, with the threshold fixed beforehand.",
                "Used accuracy instead of F1, which does not depend on the threshold.",
                "Tried more thresholds, so that the best F1 is found more precisely.",
            ],
        ),
        "feature_selection": (
            "Before cross-validating, an analyst keeps the 10 features most correlated with the outcome over the "
            "whole training split, then cross-validates a logistic regression on those 10 features and reports a "
            "cross-validated ROC AUC of 0.93. What is the problem?",
            [
                "None: the selection used the training split only, never the test split.",
                "The analyst should have selected the features on the test split, where they will be used.",
                "The selection learned from every training row, the validation folds included, so each fold was "
                "scored on features chosen with its own labels: 0.93 is optimistic. Selection belongs inside the "
                "pipeline, fitted afresh on each training fold.",
                "Ten features are too many for a logistic regression; five would make the estimate honest.",
            ],
        ),
        "early_stopping": (
            "An MLP is trained with `early_stopping=True` (it holds out 10 % of the rows it is fitted on and stops "
            "when their score stops improving), its learning rate is tuned by 5-fold cross-validation on the "
            "training split, and the test split is scored once at the end. What is wrong?",
            [
                "Early stopping looks at the test split, so the test score is optimistic.",
                "Early stopping turns the learning rate into a learned parameter, so tuning it is meaningless.",
                "The number of epochs must be tuned on the test split, because early stopping cannot choose it.",
                "Nothing: early stopping holds out part of each training fold, never the test split; the number "
                "of epochs it picks is one more choice made on training data.",
            ],
        ),
        "patients": (
            "A table holds several clinic visits per patient. `C` of an SVM is tuned with `KFold(5, shuffle=True)` "
            "over visits, and the test split is drawn over visits too. What should change?",
            [
                "Nothing: shuffling makes the folds representative.",
                "Use 10 folds instead of 5, so that each fold holds fewer visits of the same patient.",
                "Split by patient (`GroupKFold`, and a test split of unseen patients): visits of one patient "
                "in both training and held-out rows make the scores optimistic for new patients.",
                "Turn shuffling off, so that the visits of a patient stay in order.",
            ],
        ),
    },
    "scenarios-c": {
        "seed_shopping": (
            "After tuning, a team refits its final pipeline with 50 different `random_state` values, scores each "
            "on the test split and reports the best test ROC AUC. What is wrong?",
            [
                "Nothing: `random_state` is not a hyperparameter, so choosing it cannot bias anything.",
                "Choosing the seed by its test score is tuning on the test split: the best of 50 is optimistic. "
                "Fix the seed beforehand (or report the spread over seeds from cross-validation), then score the "
                "test split once.",
                "They should have tried 100 seeds, so that the best one is found reliably.",
                "`random_state` is a learned parameter, so it must be fitted on the training split.",
            ],
        ),
        "imputation": (
            "Missing laboratory values are filled with each column's mean over the whole table, then the table is "
            "split into training and test rows and a pipeline is tuned by cross-validation on the training rows. "
            "What is the problem?",
            [
                "None: filling in values is not modelling, so it cannot leak.",
                "The means should have been computed on the test split, where the model will be used.",
                "The imputation should come after the scaler in the pipeline.",
                "The imputer learned its means from every row, test and validation rows included: held-out rows "
                "leak into training. A `SimpleImputer` belongs inside the cross-validated pipeline.",
            ],
        ),
        "small_data": (
            "With 80 patients, a team tries 500 random candidates over six hyperparameters, scores each on one "
            "fixed 80/20 validation split, and reports the best validation score as the model's performance. "
            "What is wrong?",
            [
                "Nothing: the validation rows were never used to fit the models.",
                "Nothing, as long as the candidates were drawn at random rather than from a grid.",
                "The best of 500 noisy scores on 16 patients is optimistic (the winner's curse): choose with "
                "repeated or nested cross-validation over a smaller search space, and estimate performance on data "
                "the choice never saw.",
                "A grid search over the same space would make the best validation score honest.",
            ],
        ),
        "unfair_baseline": (
            "A paper compares a gradient-boosting model, tuned over 100 candidates with nested cross-validation, "
            "with a logistic regression at scikit-learn's defaults, and concludes that boosting is better for "
            "this question. Which assessment is right?",
            [
                "The conclusion holds: the boosting estimate is honest, so the comparison is fair.",
                "The comparison is unfair: the baseline was not tuned. Tune it too (`C`, `class_weight`) with the "
                "same protocol and budget before concluding which model is better.",
                "The conclusion holds because a logistic regression's defaults are optimal for medical data.",
                "Nested cross-validation cannot be used for gradient boosting, so the estimate is invalid.",
            ],
        ),
    },
}
