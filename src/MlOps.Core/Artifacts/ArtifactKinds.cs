namespace MlOps.Artifacts;

/// <summary>The artifact contract: file names and the schemaVersion each JSON carries.</summary>
public static class ArtifactKinds
{
    /// <summary>The version of every JSON artifact this release writes.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Column statistics (mergeable).</summary>
    public const string Stats = "stats.json";

    /// <summary>The schema used or inferred.</summary>
    public const string Schema = "schema.json";

    /// <summary>Schema anomalies.</summary>
    public const string Anomalies = "anomalies.json";

    /// <summary>Drift scores and verdict.</summary>
    public const string Drift = "drift.json";

    /// <summary>The human report.</summary>
    public const string Report = "report.md";

    /// <summary>The stage's summary: verdict and paths (validation.json).</summary>
    public const string Validation = "validation.json";
}
