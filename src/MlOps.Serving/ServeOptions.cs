using MlOps.Registry;
using MlOps.Scoring;

namespace MlOps.Serving;

/// <summary>What one served model follows: a registry alias (hot-swapped when it moves) or a fixed file.</summary>
/// <param name="Name">The model name in URLs (the registry model name).</param>
/// <param name="Alias">The alias to follow, such as production.</param>
/// <param name="File">A model file to serve as is, instead of the registry.</param>
public sealed record ModelSpec(string Name, string? Alias, string? File = null);

/// <summary>Everything <c>mlops serve</c> needs.</summary>
public sealed record ServeOptions
{
    /// <summary>The models to serve.</summary>
    public required IReadOnlyList<ModelSpec> Models { get; init; }

    /// <summary>What the models predict (from mlops.yaml).</summary>
    public required ModelTask? Task { get; init; }

    /// <summary>mlops.yaml model: how ONNX models' inputs meet request columns (row views).</summary>
    public ModelSettings Model { get; init; } = new();

    /// <summary>The registry, when any model follows an alias.</summary>
    public IRegistryStore? Registry { get; init; }

    /// <summary>Where pulled versions are kept.</summary>
    public string CacheDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "mlops-serve");

    /// <summary>How often aliases are checked; zero turns polling off (admin reloads still work).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The address to bind: loopback unless told otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The port of the Open Inference Protocol over gRPC (HTTP/2 without TLS), on the same address; null: no gRPC, 0: a free one.</summary>
    public int? GrpcPort { get; init; }

    /// <summary>How long a stopping server (SIGTERM) lets in-flight requests finish before it exits.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The bearer token of the admin endpoints; null disables them.</summary>
    public string? AdminToken { get; init; }

    /// <summary>The prediction log (JSON Lines), or null for none.</summary>
    public string? PredictionLog { get; init; }

    /// <summary>The share of requests logged, 0 to 1.</summary>
    public double LogSampleRate { get; init; } = 1.0;

    /// <summary>Rotate the prediction log past this many bytes (0: never).</summary>
    public long LogMaxBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Rotated prediction log files kept.</summary>
    public int LogKeep { get; init; } = 10;

    /// <summary>The largest request body in bytes.</summary>
    public long MaxRequestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>The most rows in one request.</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>What a classifier's MLflow <c>/invocations</c> answers per row: labels (MLflow's default for classifiers) or probabilities.</summary>
    public MlFlowAnswer MlFlowAnswer { get; init; } = MlFlowAnswer.Labels;

    /// <summary>A starting canary: the alias or version and its traffic share.</summary>
    public (string Reference, double Percent)? Canary { get; init; }
}

/// <summary>What MLflow's <c>/invocations</c> returns for a classifier.</summary>
public enum MlFlowAnswer
{
    /// <summary>The predicted class per row (MLflow's <c>predict</c>): 0/1 for binary, the class name for multiclass.</summary>
    Labels,

    /// <summary>The probabilities per row (<c>predict_proba</c>): the positive class's for binary, <c>{class: p}</c> for multiclass.</summary>
    Probabilities,
}
