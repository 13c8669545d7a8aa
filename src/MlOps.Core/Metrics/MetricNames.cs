using MlOps.Scoring;

namespace MlOps.Metrics;

/// <summary>Metric names as written in mlops.yaml, evaluation.json and reports, and which way is better.</summary>
public static class MetricNames
{
    /// <summary>Share of rows predicted right.</summary>
    public const string Accuracy = "accuracy";

    /// <summary>Binary: TP / (TP + FP).</summary>
    public const string Precision = "precision";

    /// <summary>Binary: TP / (TP + FN).</summary>
    public const string Recall = "recall";

    /// <summary>Binary: harmonic mean of precision and recall.</summary>
    public const string F1 = "f1";

    /// <summary>Binary: area under the ROC curve (ties count one half).</summary>
    public const string RocAuc = "roc-auc";

    /// <summary>Binary: area under the precision-recall curve as average precision (scikit-learn's definition).</summary>
    public const string PrAuc = "pr-auc";

    /// <summary>Cross-entropy of the predicted probabilities (natural log, probabilities clipped to [1e-15, 1 - 1e-15]).</summary>
    public const string LogLoss = "log-loss";

    /// <summary>Multiclass: unweighted mean of per-class F1.</summary>
    public const string MacroF1 = "macro-f1";

    /// <summary>Multiclass: F1 from pooled counts (equals accuracy for single-label data).</summary>
    public const string MicroF1 = "micro-f1";

    /// <summary>Regression: mean absolute error.</summary>
    public const string Mae = "mae";

    /// <summary>Regression: mean absolute percentage error as a fraction (|y - ŷ| / max(|y|, ε)).</summary>
    public const string Mape = "mape";

    /// <summary>Regression: mean squared error.</summary>
    public const string Mse = "mse";

    /// <summary>Regression: root mean squared error.</summary>
    public const string Rmse = "rmse";

    /// <summary>Regression: coefficient of determination.</summary>
    public const string R2 = "r2";

    /// <summary>The metrics a task reports, in report order.</summary>
    public static IReadOnlyList<string> For(ModelTask task) => task switch
    {
        ModelTask.Binary => [Accuracy, Precision, Recall, F1, RocAuc, PrAuc, LogLoss],
        ModelTask.Multiclass => [Accuracy, MacroF1, MicroF1, LogLoss],
        _ => [Mae, Mape, Mse, Rmse, R2],
    };

    /// <summary>The metric a task's gates and importance use when none is named.</summary>
    public static string Primary(ModelTask task) => task switch
    {
        ModelTask.Binary => RocAuc,
        ModelTask.Multiclass => Accuracy,
        _ => Rmse,
    };

    /// <summary>The metric as people write it in prose ("ROC AUC"); unknown names as they are.</summary>
    public static string Display(string metric) => metric switch
    {
        Accuracy => "accuracy",
        Precision => "precision",
        Recall => "recall",
        F1 => "F1",
        RocAuc => "ROC AUC",
        PrAuc => "PR AUC",
        LogLoss => "log-loss",
        MacroF1 => "macro-F1",
        MicroF1 => "micro-F1",
        Mae => "MAE",
        Mape => "MAPE",
        Mse => "MSE",
        Rmse => "RMSE",
        R2 => "R²",
        _ => metric,
    };

    /// <summary>True for metrics that are shares of rows, bounded by 0 and 1 (accuracy, precision, recall, F1, AUCs).</summary>
    public static bool IsShareOfRows(string metric) => metric is Accuracy or Precision or Recall or F1 or RocAuc or PrAuc or MacroF1 or MicroF1;

    /// <summary>True when a larger value is better.</summary>
    public static bool HigherIsBetter(string metric) => metric is not (LogLoss or Mae or Mape or Mse or Rmse);
}
