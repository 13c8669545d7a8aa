using System.Text.Json.Serialization;
using MlOps.Artifacts;

namespace MlOps.Registry;

/// <summary>An artifact of a version: its name, SHA-256 (the blob key) and size.</summary>
public sealed record ArtifactRef(string Name, string Sha256, long Bytes);

/// <summary>Who did something, from where: for audit trails.</summary>
public sealed record Actor(string By, string? Commit, string? Run)
{
    /// <summary>From the process's CI variables (GitHub Actions, Azure Pipelines), else the local user.</summary>
    public static Actor Current() => From(ProcessEnvironment.Read);

    /// <summary>From CI variables (GitHub Actions, Azure Pipelines), else the local user.</summary>
    /// <param name="environment">Reads an environment variable (the CLI passes its injected environment).</param>
    public static Actor From(Func<string, string?> environment)
    {
        string? Env(string n) => environment(n) is { Length: > 0 } v ? v : null;
        var by = Env("GITHUB_ACTOR") ?? Env("BUILD_REQUESTEDFOR") ?? Env("USER") ?? Env("USERNAME") ?? "unknown";
        var commit = Env("GITHUB_SHA") ?? Env("BUILD_SOURCEVERSION");
        var run = Env("GITHUB_RUN_ID") is { } id
            ? $"{Env("GITHUB_SERVER_URL") ?? "https://github.com"}/{Env("GITHUB_REPOSITORY")}/actions/runs/{id}"
            : Env("BUILD_BUILDID") is { } b ? $"{Env("SYSTEM_COLLECTIONURI")}{Env("SYSTEM_TEAMPROJECT")}/_build/results?buildId={b}" : null;
        return new Actor(by, commit, run);
    }
}

/// <summary>One immutable registered version: its artifacts, lineage and verdict.</summary>
public sealed record ModelVersion
{
    /// <summary>The artifact kind.</summary>
    public const string Kind = "mlops.model-version";

    /// <summary>Artifact schema version.</summary>
    public int SchemaVersion { get; init; } = ArtifactKinds.SchemaVersion;

    /// <summary>Always <see cref="Kind"/>.</summary>
    [JsonPropertyName("kind")]
    public string ArtifactKind { get; init; } = Kind;

    /// <summary>The model name.</summary>
    public required string Name { get; init; }

    /// <summary>The version number (1, 2, ...).</summary>
    public required int Version { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who registered it, from which commit and run.</summary>
    public required Actor CreatedBy { get; init; }

    /// <summary>The model file's artifact name (model.zip or model.onnx).</summary>
    public required string ModelFile { get; init; }

    /// <summary>mlnet or onnx.</summary>
    public required string Format { get; init; }

    /// <summary>Every stored artifact.</summary>
    public required IReadOnlyList<ArtifactRef> Artifacts { get; init; }

    /// <summary>The training run id (run.json).</summary>
    public string? RunId { get; init; }

    /// <summary>The data fingerprint the model was trained on.</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>The source commit of the training run.</summary>
    public string? SourceCommit { get; init; }

    /// <summary>Candidate metrics from evaluation.json.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The evaluation's verdict.</summary>
    public bool? Blessed { get; init; }

    /// <summary>Registered despite not being blessed (with --force), and why.</summary>
    public string? ForcedReason { get; init; }

    /// <summary>Free-form tags given at registration.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>One alias move, for audit and rollback.</summary>
public sealed record AliasMove(string Alias, int? From, int To, string Action, DateTimeOffset At, Actor Actor, string? Reason);

/// <summary>A model's aliases and their history, replaced as a whole under an ETag.</summary>
public sealed record AliasBook
{
    /// <summary>Alias → version.</summary>
    public Dictionary<string, int> Aliases { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Every move, oldest first.</summary>
    public List<AliasMove> History { get; init; } = [];
}
