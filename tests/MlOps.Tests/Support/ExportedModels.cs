using System.Globalization;

namespace MlOps.Tests.Support;

/// <summary>
/// ONNX models written the way exporters write them, without any metadata of ours: a PyTorch
/// classifier as <c>torch.onnx.export</c> leaves it (input <c>input</c> FP32 [batch_size, 4], a Gemm
/// over <c>fc.weight</c>/<c>fc.bias</c>, logits in <c>output</c>, opset 17), and a scikit-learn
/// LogisticRegression as skl2onnx converts it by default (input <c>float_input</c>, outputs
/// <c>output_label</c> and a ZipMap <c>output_probability</c>). The weights are a nearest-centroid
/// classifier fitted here on the penguins measurements, so the models are real and accurate.
/// </summary>
public static class ExportedModels
{
    public static readonly string[] Measurements = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"];

    /// <summary>The committed PyTorch-style fixture and its data.</summary>
    public static string TorchExample => Path.Combine(Cli.RepoRoot, "examples", "pytorch");

    /// <summary>The committed scikit-learn-style fixture.</summary>
    public static string SklearnExample => Path.Combine(Cli.RepoRoot, "examples", "sklearn");

    /// <summary>The penguins rows with every measurement.</summary>
    public static string Data => Path.Combine(TorchExample, "data", "penguins.csv");

    /// <summary>What torch.onnx.export writes for nn.Linear(4, 3) with input_names=["input"], output_names=["output"] and a dynamic batch.</summary>
    public static byte[] Torch(string csv)
    {
        var (classes, w, b) = Fit(csv);
        var k = classes.Length;
        var f = Measurements.Length;
        var weight = new float[k * f]; // [out, in], as nn.Linear stores it
        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < f; j++) weight[(c * f) + j] = w[(j * k) + c];
        }

        return OnnxWriter.Exported("pytorch", new Dictionary<string, long> { [string.Empty] = 17 }, g =>
        {
            g.String(2, "main_graph");
            g.NamedValue(11, "input", OnnxWriter.FloatType, "batch_size", -1, f);
            g.Initializer("fc.weight", [k, f], weight);
            g.Initializer("fc.bias", [k], b);
            g.Op("Gemm", ["input", "fc.weight", "fc.bias"], ["output"], string.Empty, ("alpha", 1f), ("beta", 1f), ("transB", 1L));
            g.NamedValue(12, "output", OnnxWriter.FloatType, "batch_size", -1, k);
        });
    }

    /// <summary>What skl2onnx writes for a LogisticRegression on string labels with default options (ZipMap on).</summary>
    public static byte[] Sklearn(string csv, bool intLabels = false)
    {
        var (classes, w, b) = Fit(csv);
        var k = classes.Length;
        var f = Measurements.Length;
        var coefficients = new float[k * f];
        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < f; j++) coefficients[(c * f) + j] = w[(j * k) + c];
        }

        var ids = Enumerable.Range(0, k).Select(i => (long)i).ToArray();
        (string, object) labels = intLabels ? ("classlabels_ints", ids) : ("classlabels_strings", classes);
        (string, object) zipLabels = intLabels ? ("classlabels_int64s", ids) : ("classlabels_strings", classes);
        return OnnxWriter.Exported("skl2onnx", new Dictionary<string, long> { [string.Empty] = 15, ["ai.onnx.ml"] = 1 }, g =>
        {
            g.String(2, "ONNX(LogisticRegression)");
            g.Value(11, "float_input", OnnxWriter.FloatType, -1, f);
            g.Op("LinearClassifier", ["float_input"], ["label", "probability_tensor"], "ai.onnx.ml", labels, ("coefficients", coefficients), ("intercepts", b), ("multi_class", 1L), ("post_transform", "SOFTMAX"));
            g.Op("Identity", ["label"], ["output_label"]);
            g.Op("ZipMap", ["probability_tensor"], ["output_probability"], "ai.onnx.ml", zipLabels);
            g.Value(12, "output_label", intLabels ? OnnxWriter.Int64Type : OnnxWriter.StringType, -1);
            g.ZipMapValue("output_probability", intLabels ? OnnxWriter.Int64Type : OnnxWriter.StringType);
        });
    }

    /// <summary>Nearest centroids on standardized measurements as one linear layer on the raw ones: logits = x·W + b, W [F, K].</summary>
    private static (string[] Classes, float[] W, float[] B) Fit(string csv)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        int Col(string n) => Array.IndexOf(header, n);
        var rows = lines.Skip(1).Select(l => l.Split(',')).Where(c => Measurements.All(n => c[Col(n)].Length > 0)).ToList();
        var classes = rows.Select(r => r[Col("species")]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var x = rows.Select(r => Measurements.Select(n => double.Parse(r[Col(n)], CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var f = Measurements.Length;
        var mean = Enumerable.Range(0, f).Select(j => x.Average(v => v[j])).ToArray();
        var sd = Enumerable.Range(0, f).Select(j => Math.Sqrt(x.Average(v => (v[j] - mean[j]) * (v[j] - mean[j])))).ToArray();
        var w = new float[f * classes.Length];
        var b = new float[classes.Length];
        for (var k = 0; k < classes.Length; k++)
        {
            var members = rows.Select((r, i) => (r, i)).Where(t => t.r[Col("species")] == classes[k]).Select(t => x[t.i]).ToArray();
            double bias = 0;
            for (var j = 0; j < f; j++)
            {
                var mu = (members.Average(v => v[j]) - mean[j]) / sd[j];
                w[(j * classes.Length) + k] = (float)(2 * mu / sd[j]);
                bias += (-mu * mu) - (2 * mu * mean[j] / sd[j]);
            }

            b[k] = (float)bias;
        }

        return (classes, w, b);
    }
}
