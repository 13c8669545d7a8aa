namespace MlOps.Scoring;

/// <summary>
/// <c>model:</c> in mlops.yaml: how an ONNX model's tensors meet the data's columns and how its
/// outputs are read, for models exported without our metadata (PyTorch, TensorFlow, scikit-learn).
/// Everything is optional; what is left out is read from the model or the data.
/// </summary>
public sealed record ModelSettings
{
    /// <summary>The columns of the model's single matrix input, in order (<c>model.features</c>).</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Columns per graph input (<c>model.inputs: { input: [a, b] }</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Inputs { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>The output with class probabilities (or logits), or the regression value (<c>model.outputs.probabilities</c> / <c>value</c>).</summary>
    public string? ScoreOutput { get; init; }

    /// <summary>The output with predicted labels (<c>model.outputs.label</c>).</summary>
    public string? LabelOutput { get; init; }

    /// <summary>What the score output holds: probabilities (default) or logits, which get softmax or sigmoid.</summary>
    public ScoreKind Scores { get; init; } = ScoreKind.Probabilities;

    /// <summary>The class names in output order (<c>model.classes</c>).</summary>
    public IReadOnlyList<string>? Classes { get; init; }
}

/// <summary>What a classifier's score output holds.</summary>
public enum ScoreKind
{
    /// <summary>Probabilities in [0, 1].</summary>
    Probabilities,

    /// <summary>Unnormalized scores: softmax over classes, or sigmoid for one positive-class score.</summary>
    Logits,
}
