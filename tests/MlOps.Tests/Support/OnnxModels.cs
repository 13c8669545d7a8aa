using System.Globalization;
using System.Text.Json;

namespace MlOps.Tests.Support;

/// <summary>
/// Small real ONNX classifiers for the penguins data: a nearest-centroid classifier on the
/// standardized numeric columns, written as IsNaN/Where (mean imputation), MatMul, Add, Softmax.
/// </summary>
public static class OnnxModels
{
    public static readonly string[] Numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"];

    /// <summary>Fits centroids on a CSV's rows and writes the model; <paramref name="use"/> picks which columns count; without <paramref name="impute"/> a missing input gives NaN probabilities, as exported models without an imputer do.</summary>
    public static byte[] NearestCentroid(string csvPath, bool perColumnInputs = false, string[]? use = null, string[]? declaredFeatures = null, bool impute = true)
    {
        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        int Col(string n) => Array.IndexOf(header, n);
        var rows = lines.Skip(1).Select(l => l.Split(',')).Where(c => Numeric.All(n => c[Col(n)].Length > 0 && c[Col(n)] != "NA")).ToList();
        var classes = rows.Select(r => r[Col("species")]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var x = rows.Select(r => Numeric.Select(n => double.Parse(r[Col(n)], CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var f = Numeric.Length;
        var mean = Enumerable.Range(0, f).Select(j => x.Average(v => v[j])).ToArray();
        var sd = Enumerable.Range(0, f).Select(j => Math.Sqrt(x.Average(v => (v[j] - mean[j]) * (v[j] - mean[j])))).ToArray();
        var active = Numeric.Select(n => use is null || use.Contains(n)).ToArray();
        var w = new float[f * classes.Length];
        var b = new float[classes.Length];
        for (var k = 0; k < classes.Length; k++)
        {
            var members = rows.Select((r, i) => (r, i)).Where(t => t.r[Col("species")] == classes[k]).Select(t => x[t.i]).ToArray();
            double bias = 0;
            for (var j = 0; j < f; j++)
            {
                if (!active[j]) continue;
                var mu = (members.Average(v => v[j]) - mean[j]) / sd[j];

                // -(x' - mu)^2 = 2 x' mu - mu^2 - x'^2; x'^2 is the same for every class, so it drops out of softmax.
                w[(j * classes.Length) + k] = (float)(2 * mu / sd[j]);
                bias += (-mu * mu) - (2 * mu * mean[j] / sd[j]);
            }

            b[k] = (float)bias;
        }

        var metadata = new Dictionary<string, string>
        {
            ["mlops.classes"] = JsonSerializer.Serialize(classes),
            ["mlops.task"] = "multiclass",
        };
        if (!perColumnInputs) metadata["mlops.features"] = JsonSerializer.Serialize(declaredFeatures ?? Numeric);
        return OnnxWriter.Model(g =>
        {
            g.String(2, "nearest_centroid");
            if (perColumnInputs)
            {
                foreach (var n in Numeric) g.Value(11, n, OnnxWriter.FloatType, -1, 1);
                g.Node("Concat", Numeric, "features", ("axis", 1));
            }
            else
            {
                g.Value(11, "features", OnnxWriter.FloatType, -1, f);
            }

            g.Initializer("mean", [f], mean.Select(v => (float)v).ToArray());
            g.Initializer("W", [f, classes.Length], w);
            g.Initializer("B", [classes.Length], b);
            if (impute)
            {
                g.Node("IsNaN", ["features"], "missing");
                g.Node("Where", ["missing", "mean", "features"], "imputed");
            }

            g.Node("MatMul", [impute ? "imputed" : "features", "W"], "scores");
            g.Node("Add", ["scores", "B"], "logits");
            g.Node("Softmax", ["logits"], "probabilities");
            g.Value(12, "probabilities", OnnxWriter.FloatType, -1, classes.Length);
        }, metadata);
    }
}
