using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Validation.Drift;
using MlOps.Validation.Schema;
using MlOps.Validation.Statistics;

namespace MlOps.Validation;

/// <summary>Writes the validate stage's artifact folder (see ARCHITECTURE.md, "Artifact contract").</summary>
public static class ValidationArtifacts
{
    /// <summary>Writes every artifact of a result.</summary>
    public static async Task WriteAsync(ValidationResult result, CancellationToken cancellationToken = default)
    {
        var dir = result.OutputDirectory;
        await StatsFile.WriteAsync(Path.Combine(dir, ArtifactKinds.Stats), result.Profile, cancellationToken);
        await SchemaFile.WriteAsync(Path.Combine(dir, ArtifactKinds.Schema), result.Schema, cancellationToken);
        await Json(Path.Combine(dir, ArtifactKinds.Anomalies), w => WriteAnomalies(w, result.Anomalies), cancellationToken);
        if (result.Drift is { } drift)
        {
            await Json(Path.Combine(dir, ArtifactKinds.Drift), w => WriteDrift(w, drift), cancellationToken);
        }

        await Json(Path.Combine(dir, ArtifactKinds.Validation), w => WriteSummary(w, result), cancellationToken);
        await AtomicFile.WriteTextAsync(Path.Combine(dir, ArtifactKinds.Report), ValidationReport.Render(result), cancellationToken);
    }

    /// <summary>The stage summary as one JSON object (also what <c>--json</c> prints).</summary>
    public static void WriteSummary(Utf8JsonWriter w, ValidationResult r)
    {
        w.WriteStartObject();
        Header(w, "mlops.validation");
        w.WriteBoolean("passed", r.Passed);
        w.WriteString("data", r.Profile.Source);
        if (r.Fingerprint is { } fingerprint) w.WriteString("fingerprint", fingerprint);
        w.WriteNumber("rows", r.Profile.Rows);
        w.WriteNumber("columns", r.Profile.Columns.Count);
        w.WriteBoolean("schemaDeclared", r.SchemaDeclared);
        w.WriteNumber("anomalies", r.Anomalies.Count);
        if (r.Drift is { } d)
        {
            w.WriteStartObject("drift");
            w.WriteBoolean("drifted", d.Drifted);
            w.WriteNumber("driftedShare", d.DriftedShare);
            w.WriteNumber("maxDriftedShare", d.MaxDriftedShare);
            w.WriteStartArray("driftedColumns");
            foreach (var c in d.Columns.Where(c => c.Drifted)) w.WriteStringValue(c.Column);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteString("output", r.OutputDirectory);
        w.WriteEndObject();
    }

    private static void Header(Utf8JsonWriter w, string kind)
    {
        w.WriteNumber("schemaVersion", ArtifactKinds.SchemaVersion);
        w.WriteString("kind", kind);
        w.WriteString("tool", ToolInfo.NameAndVersion);
    }

    private static void WriteAnomalies(Utf8JsonWriter w, IReadOnlyList<Anomaly> anomalies)
    {
        w.WriteStartObject();
        Header(w, "mlops.anomalies");
        w.WriteNumber("count", anomalies.Count);
        w.WriteStartArray("anomalies");
        foreach (var a in anomalies)
        {
            w.WriteStartObject();
            if (a.Column is not null) w.WriteString("column", a.Column);
            w.WriteString("kind", a.Kind);
            w.WriteString("expected", a.Expected);
            w.WriteString("actual", a.Actual);
            w.WriteNumber("count", a.Count);
            if (a.File is not null) w.WriteString("file", a.File);
            if (a.Row is { } row) w.WriteNumber("row", row);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteDrift(Utf8JsonWriter w, DriftReport d)
    {
        w.WriteStartObject();
        Header(w, "mlops.drift");
        w.WriteString("baseline", d.Baseline);
        w.WriteBoolean("drifted", d.Drifted);
        w.WriteNumber("driftedShare", d.DriftedShare);
        w.WriteNumber("maxDriftedShare", d.MaxDriftedShare);
        w.WriteNumber("compared", d.Compared);
        w.WriteStartArray("columns");
        foreach (var c in d.Columns)
        {
            w.WriteStartObject();
            w.WriteString("column", c.Column);
            w.WriteString("kind", c.Kind);
            w.WriteString("method", c.Method);
            w.WriteNumber("score", c.Score);
            w.WriteNumber("threshold", c.Threshold);
            w.WriteNumber("pValue", c.PValue);
            w.WriteNumber("alpha", c.Alpha);
            w.WriteBoolean("drifted", c.Drifted);
            w.WriteNumber("baselineCount", c.BaselineCount);
            w.WriteNumber("currentCount", c.CurrentCount);
            if (c.Kind is "numeric" or "time") w.WriteNumber("rankError", c.RankError);
            if (c.Skipped is not null) w.WriteString("skipped", c.Skipped);
            w.WriteStartObject("scores");
            foreach (var (k, v) in c.Scores) w.WriteNumber(k, v);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static Task Json(string path, Action<Utf8JsonWriter> write, CancellationToken ct) =>
        AtomicFile.WriteAsync(path, async s =>
        {
            await using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
            write(w);
            await w.FlushAsync(ct);
        }, ct);
}
