using System.Text.Json.Serialization;
using MlOps.Artifacts;
using MlOps.Registry;

namespace MlOps.Deployment;

/// <summary>deployment.json: what was deployed where, the smoke test, and any rollback.</summary>
public sealed record DeploymentRecord
{
    /// <summary>The artifact kind.</summary>
    public const string Kind = "mlops.deployment";

    /// <summary>The file name.</summary>
    public const string FileName = "deployment.json";

    /// <summary>Artifact schema version.</summary>
    public int SchemaVersion { get; init; } = ArtifactKinds.SchemaVersion;

    /// <summary>Always <see cref="Kind"/>.</summary>
    [JsonPropertyName("kind")]
    public string ArtifactKind { get; init; } = Kind;

    /// <summary>The tool version.</summary>
    public string Tool { get; init; } = ToolInfo.NameAndVersion;

    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The version deployed.</summary>
    public required int Version { get; init; }

    /// <summary>The alias moved.</summary>
    public required string Alias { get; init; }

    /// <summary>The version the alias pointed at before.</summary>
    public int? PreviousVersion { get; init; }

    /// <summary>The release tag, if any.</summary>
    public string? ReleaseTag { get; init; }

    /// <summary>The server told about the switch, if any.</summary>
    public string? Server { get; init; }

    /// <summary>Every server (replica) that was reloaded and smoke-tested.</summary>
    public IReadOnlyList<string> Servers { get; init; } = [];

    /// <summary>The canary analysis that came before the switch (deploy --canary --analyze), if any.</summary>
    public CanaryRecord? Canary { get; init; }

    /// <summary>Smoke-test results.</summary>
    public IReadOnlyList<SmokeResult> Smoke { get; init; } = [];

    /// <summary>True when the release is live.</summary>
    public bool Succeeded { get; init; }

    /// <summary>Why not.</summary>
    public string? Failure { get; init; }

    /// <summary>The version the alias was moved back to after a failure.</summary>
    public int? RolledBackTo { get; init; }

    /// <summary>Who ran it.</summary>
    public required Actor Actor { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Wall time in seconds.</summary>
    public double DurationSeconds { get; init; }
}
