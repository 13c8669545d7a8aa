using MlOps.Artifacts;

namespace MlOps.Reporting;

/// <summary>What the report reads from a validate folder: validation.json, anomalies.json and drift.json.</summary>
public sealed record ValidationArtifactsView(ValidationSummary Summary, IReadOnlyList<AnomalyEntry> Anomalies, DriftSummary? Drift)
{
    /// <summary>Reads a validate output folder.</summary>
    public static async Task<ValidationArtifactsView> ReadAsync(string folder, CancellationToken cancellationToken = default)
    {
        var summary = await ArtifactJson.ReadAsync<ValidationSummary>(Path.Combine(folder, ArtifactKinds.Validation), "mlops.validation", cancellationToken);
        var anomaliesPath = Path.Combine(folder, ArtifactKinds.Anomalies);
        var anomalies = File.Exists(anomaliesPath)
            ? (await ArtifactJson.ReadAsync<AnomalyList>(anomaliesPath, "mlops.anomalies", cancellationToken)).Anomalies
            : [];
        var driftPath = Path.Combine(folder, ArtifactKinds.Drift);
        var drift = File.Exists(driftPath) ? await ArtifactJson.ReadAsync<DriftSummary>(driftPath, "mlops.drift", cancellationToken) : null;
        return new ValidationArtifactsView(summary, anomalies, drift);
    }
}

/// <summary>validation.json, as the report needs it.</summary>
public sealed record ValidationSummary(bool Passed, string Data, long Rows, int Columns, bool SchemaDeclared, int Anomalies, string? Fingerprint = null);

/// <summary>anomalies.json.</summary>
public sealed record AnomalyList(IReadOnlyList<AnomalyEntry> Anomalies);

/// <summary>One schema anomaly; <see cref="File"/> and <see cref="Row"/> say where it was first seen.</summary>
public sealed record AnomalyEntry(string? Column, string Kind, string Expected, string Actual, long Count, string? File, long? Row);

/// <summary>drift.json.</summary>
public sealed record DriftSummary(string Baseline, bool Drifted, double DriftedShare, double MaxDriftedShare, int Compared, IReadOnlyList<DriftColumnEntry> Columns);

/// <summary>One column's drift test.</summary>
public sealed record DriftColumnEntry(string Column, string Kind, string Method, double Score, double Threshold, double PValue, bool Drifted, string? Skipped);
