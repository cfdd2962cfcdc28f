"""Vocabulary for an estimator's state, shared by all modules."""

# Fitted attributes (names ending in "_") that record facts about the fit rather than learned
# weights: sizes, names, label sets, iteration counts, solver diagnostics. The course does not
# count them as parameters (COURSE.md, "Subtleties").
BOOKKEEPING_ATTRIBUTES = frozenset(
    {
        "n_features_in_",
        "feature_names_in_",
        "classes_",
        "n_classes_",
        "n_outputs_",
        "outputs_2d_",
        "n_iter_",
        "n_samples_seen_",
        "n_samples_fit_",
        "n_layers_",
        "t_",
        "solver_",
        "fit_status_",
        "shape_fit_",
        "class_weight_",
        "effective_metric_",
        "effective_metric_params_",
        "out_activation_",
        "max_features_",
        "dual_gap_",
        "rank_",
        "singular_",
        "loss_",
        "best_loss_",
        "loss_curve_",
        "validation_scores_",
        "best_validation_score_",
        "scores_",
    }
)

LABELS = ("parameter", "hyperparameter", "neither")
