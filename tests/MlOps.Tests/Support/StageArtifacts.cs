using MlOps.Artifacts;
using MlOps.Evaluation;

namespace MlOps.Tests.Support;

/// <summary>Writes stage output folders (evaluation.json, validation.json, anomalies.json, drift.json) as the stages do, for report tests.</summary>
public static class StageArtifacts
{
    public static EvaluationResult Evaluation(bool blessed, int slices = 1, string project = "penguins") => new()
    {
        Blessed = blessed,
        Reasons = blessed ? ["every gate passed"] : ["accuracy is significantly worse than the baseline"],
        Project = project,
        Task = "binary",
        Candidate = new ModelRef("mlops-out/train/model.zip", "mlnet", new string('a', 64), 33_000, "run-1", null),
        Baseline = new ModelRef("mlops-out/baseline/model.zip", "mlnet", new string('b', 64), 32_000, "run-0", "registry penguins v1 (production)"),
        Data = new EvaluationData("data.csv", "test", 1234, new string('c', 64)),
        Threshold = 0.5,
        Metrics = new Dictionary<string, MetricComparison>
        {
            ["accuracy"] = new(blessed ? 0.91 : 0.80, new Interval(0.88, 0.93), 0.89, blessed ? 0.02 : -0.09, new Interval(blessed ? 0.005 : -0.12, blessed ? 0.035 : -0.06), true),
            ["roc-auc"] = new(0.95, null, 0.94, 0.01, new Interval(-0.002, 0.02), true),
            ["log-loss"] = new(0.31, null, 0.33, -0.02, new Interval(-0.04, 0.001), false),
        },
        Gates =
        [
            new GateResult("accuracy (no significant regression)", blessed, blessed ? "0.91 vs 0.89" : "0.8 vs 0.89; 95% interval of the change [-0.12, -0.06]"),
            new GateResult("log-loss (threshold 0.6)", true, "0.31"),
        ],
        Slices = Enumerable.Range(0, slices).Select(i => new SliceColumnResult($"column{i}", "accuracy", 0.05, 0.04,
            [new SliceResult("a|b", 600, 0.9, 0.88, true), new SliceResult("c", 634, 0.95, 0.92, true)])).ToList(),
        Importance = [new FeatureImportance("island \"main\"", "accuracy", 0.3, 0.01), new FeatureImportance("bill_length_mm", "accuracy", 0.2, 0.02)],
        Bootstrap = new BootstrapSettings(1000, 0.95, 42),
    };

    public static async Task<string> WriteEvaluationAsync(string folder, EvaluationResult result)
    {
        Directory.CreateDirectory(folder);
        await ArtifactJson.WriteAsync(Path.Combine(folder, EvaluationResult.FileName), result);
        return folder;
    }

    /// <summary>A validate folder with one anomaly at data.csv row 42 and one drifted column out of two.</summary>
    public static string WriteValidation(string folder, bool passed = false)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "validation.json"), $$"""
            {"schemaVersion":1,"kind":"mlops.validation","tool":"mlops","passed":{{(passed ? "true" : "false")}},"data":"data.csv","rows":5000,"columns":8,"schemaDeclared":true,"anomalies":1}
            """);
        File.WriteAllText(Path.Combine(folder, "anomalies.json"), """
            {"schemaVersion":1,"kind":"mlops.anomalies","count":1,"anomalies":[{"column":"sex","kind":"out-of-domain","expected":"one of female, male","actual":"'unknown'","count":3,"file":"data.csv","row":42}]}
            """);
        File.WriteAllText(Path.Combine(folder, "drift.json"), """
            {"schemaVersion":1,"kind":"mlops.drift","baseline":"reference.csv","drifted":true,"driftedShare":0.5,"maxDriftedShare":0.3,"compared":2,
             "columns":[{"column":"body_mass_g","kind":"numeric","method":"psi","score":0.42,"threshold":0.2,"pValue":0.001,"alpha":0.05,"drifted":true},
                        {"column":"island","kind":"categorical","method":"js","score":0.02,"threshold":0.1,"pValue":0.6,"alpha":0.05,"drifted":false}]}
            """);
        return folder;
    }
}
