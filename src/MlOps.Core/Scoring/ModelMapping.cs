namespace MlOps.Scoring;

/// <summary>
/// Which data columns went into which model input and how the outputs were read: decided once
/// when a model is loaded, recorded in run.json and evaluation.json so nobody is surprised, and
/// reused by later stages (the registry keeps run.json with the model).
/// </summary>
/// <param name="Inputs">One entry per graph input.</param>
/// <param name="ScoreOutput">The output read as probabilities, logits or values.</param>
/// <param name="LabelOutput">The output with predicted labels, when the model has one.</param>
/// <param name="Scores">probabilities or logits.</param>
/// <param name="Transform">softmax or sigmoid when logits were normalized; else null.</param>
/// <param name="Classes">The class names in output order (classification).</param>
/// <param name="ClassesFrom">Where the class names came from.</param>
public sealed record ModelMapping(
    IReadOnlyList<InputMapping> Inputs,
    string ScoreOutput,
    string? LabelOutput,
    string Scores,
    string? Transform,
    IReadOnlyList<string>? Classes,
    string? ClassesFrom)
{
    /// <summary>Where the columns of an input came from.</summary>
    public static class From
    {
        /// <summary>mlops.yaml model.inputs.</summary>
        public const string ConfigInputs = "mlops.yaml model.inputs";

        /// <summary>mlops.yaml model.features.</summary>
        public const string ConfigFeatures = "mlops.yaml model.features";

        /// <summary>The model's metadata.</summary>
        public const string Metadata = "model metadata mlops.features";

        /// <summary>The run record of the training run.</summary>
        public const string RunRecord = "run.json of the training run";

        /// <summary>The data's feature columns in file order.</summary>
        public const string FileOrder = "the data's feature columns in file order";

        /// <summary>An input per column, named like the column.</summary>
        public const string InputName = "the input's name";
    }

    /// <summary>One line per input for logs: <c>`input` FP32 [N, 4] ← a, b, c, d (where from)</c>.</summary>
    public IEnumerable<string> Describe() => Inputs.Select(i => $"`{i.Name}` {i.Datatype} {Shape(i.Shape)} ← {string.Join(", ", i.Columns)} ({i.From})");

    /// <summary>The mapping as a Markdown list for reports; names from the model and the data are made inert.</summary>
    public string Markdown()
    {
        var s = new System.Text.StringBuilder();
        foreach (var i in Inputs)
        {
            s.Append("- ").Append(Artifacts.MarkdownText.Code(i.Name)).Append(' ').Append(i.Datatype).Append(' ').Append(Shape(i.Shape))
                .Append(" ← ").Append(string.Join(", ", i.Columns.Select(Artifacts.MarkdownText.Cell))).Append(" (").Append(i.From).AppendLine(")");
        }

        s.Append("- output ").Append(Artifacts.MarkdownText.Code(ScoreOutput)).Append(" read as ").Append(Scores).Append(Transform is { } t ? $" ({t} applied)" : string.Empty);
        if (Classes is { } classes) s.Append("; classes ").Append(string.Join(", ", classes.Select(Artifacts.MarkdownText.Cell))).Append(" (").Append(ClassesFrom).Append(')');
        return s.AppendLine().ToString();
    }

    private static string Shape(IReadOnlyList<long> shape) =>
        $"[{string.Join(", ", shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>The columns that feed one graph input.</summary>
/// <param name="Name">The graph input.</param>
/// <param name="Datatype">Its Open Inference Protocol datatype (FP32, INT64, BYTES, ...).</param>
/// <param name="Shape">Its shape; -1 for a dynamic dimension.</param>
/// <param name="Columns">The data columns, in the input's order.</param>
/// <param name="From">Where the columns came from (see <see cref="ModelMapping.From"/>).</param>
public sealed record InputMapping(string Name, string Datatype, IReadOnlyList<long> Shape, IReadOnlyList<string> Columns, string From);
