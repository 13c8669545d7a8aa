using System.Globalization;
using System.Text;
using MlOps.Artifacts;
using MlOps.Data;
using MlOps.Registry;
using MlOps.Validation;
using MlOps.Validation.Drift;
using MlOps.Validation.Schema;

namespace MlOps.Monitoring;

/// <summary>What <see cref="ProductionMonitor"/> watches and where its artifacts go.</summary>
public sealed record MonitorOptions
{
    /// <summary>The prediction log files (rotated files, a folder's, a glob's).</summary>
    public required IReadOnlyList<string> LogFiles { get; init; }

    /// <summary>The model name in the log and the registry.</summary>
    public required string Model { get; init; }

    /// <summary>Only entries at or after this time (null: all).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The drift rules (validate.drift in mlops.yaml).</summary>
    public DriftOptions Drift { get; init; } = new();

    /// <summary>Where monitoring.json, report.md and one folder per version go.</summary>
    public required string OutputDirectory { get; init; }
}

/// <summary>One served version against its own training statistics.</summary>
/// <param name="Version">The registry version that served the rows.</param>
/// <param name="Rows">Logged rows.</param>
/// <param name="Passed">No drift and no anomaly.</param>
/// <param name="Drifted">Drifted columns, with score and method.</param>
/// <param name="Anomalies">Schema anomalies of the served inputs.</param>
/// <param name="Folder">The version's validate artifacts.</param>
/// <param name="Problem">Why it could not be checked (fails closed).</param>
public sealed record VersionMonitoring(string Version, long Rows, bool Passed, IReadOnlyList<string> Drifted, IReadOnlyList<string> Anomalies, string? Folder, string? Problem);

/// <summary>The monitor's verdict.</summary>
/// <param name="Model">The model.</param>
/// <param name="Passed">Every version passed.</param>
/// <param name="Versions">Per served version.</param>
/// <param name="Log">What the log held.</param>
/// <param name="Warnings">Malformed lines, a partial last line.</param>
public sealed record MonitorResult(string Model, bool Passed, IReadOnlyList<VersionMonitoring> Versions, PredictionLogContents Log, IReadOnlyList<string> Warnings)
{
    /// <summary>monitoring.json.</summary>
    public const string FileName = "monitoring.json";
}

/// <summary>
/// The monitor stage: production inputs from the prediction log against the training statistics
/// stored with the version that served them (the registry's stats.json and schema.json), with
/// validate's drift rules. A version without stored statistics cannot be checked and fails.
/// </summary>
public sealed class ProductionMonitor(ModelRegistry registry, Action<string> log)
{
    /// <summary>Runs the stage.</summary>
    /// <exception cref="DataException">The window holds no logged rows of the model.</exception>
    public async Task<MonitorResult> RunAsync(MonitorOptions o, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(o.OutputDirectory);
        var work = Path.Combine(o.OutputDirectory, "served");
        var contents = await PredictionLogReader.ReadAsync(o.LogFiles, o.Model, o.Since, work, cancellationToken);
        var warnings = new List<string>();
        if (contents.Malformed > 0) warnings.Add($"{contents.Malformed} log lines are not log entries (first at {contents.FirstMalformed}); they were skipped.");
        if (contents.PartialLast) warnings.Add("a log file ends mid-line (the writer stopped while writing); read up to its last whole line.");
        foreach (var w in warnings) log($"warning: {w}");
        var rows = contents.Versions.Values.Sum(v => v.Rows);
        if (rows == 0)
        {
            throw Errors.Data(string.Join(", ", o.LogFiles.Take(3)), $"no logged rows of '{o.Model}'{(o.Since is { } s ? $" since {s:yyyy-MM-dd HH:mm}Z" : string.Empty)} ({contents.Entries} entries of it, {contents.OtherModels} of other models, {contents.OutsideWindow} older, {contents.Malformed} malformed, in {contents.Files} files).");
        }

        var versions = new List<VersionMonitoring>();
        foreach (var (version, (file, count)) in contents.Versions.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            versions.Add(await CheckAsync(o, version, file, count, cancellationToken));
        }

        var result = new MonitorResult(o.Model, versions.All(v => v.Passed), versions, contents, warnings);
        await ArtifactJson.WriteAsync(Path.Combine(o.OutputDirectory, MonitorResult.FileName), result, cancellationToken);
        await AtomicFile.WriteTextAsync(Path.Combine(o.OutputDirectory, ArtifactKinds.Report), Report(result), cancellationToken);
        return result;
    }

    private async Task<VersionMonitoring> CheckAsync(MonitorOptions o, string version, string file, long rows, CancellationToken cancellationToken)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return new VersionMonitoring(version, rows, false, [], [], null, $"served from a file, not a registry version: there are no training statistics to compare with.");
        }

        ModelVersion manifest;
        try
        {
            manifest = await registry.GetAsync(o.Model, number, cancellationToken);
        }
        catch (MlOpsException e)
        {
            return new VersionMonitoring(version, rows, false, [], [], null, $"v{number} is not readable in the registry ({e.Message.Split('\n')[0]}).");
        }

        var files = await registry.PullAsync(manifest, Path.Combine(o.OutputDirectory, "registry", $"v{number}"), cancellationToken);
        if (!files.TryGetValue(ArtifactKinds.Stats, out var stats))
        {
            return new VersionMonitoring(version, rows, false, [], [], null, $"v{number} was registered without stats.json (register with --validation), so its inputs cannot be compared with training.");
        }

        // Served inputs carry the model's columns only: the schema is checked for those, without the training set's row bounds.
        string? schema = null;
        if (files.TryGetValue(ArtifactKinds.Schema, out var schemaPath))
        {
            var declared = await SchemaFile.ReadAsync(schemaPath, cancellationToken);
            var served = ServedColumns(file);
            schema = Path.Combine(o.OutputDirectory, "registry", $"v{number}", "served-schema.json");
            await SchemaFile.WriteAsync(schema, declared with { Columns = declared.Columns.Where(c => served.Contains(c.Name)).ToList(), MinRows = null, MaxRows = null, AllowNewColumns = true }, cancellationToken);
        }

        var folder = Path.Combine(o.OutputDirectory, $"v{number}");
        log($"v{number}: {rows:N0} served rows against its training statistics");
        var result = await new Validator(log).RunAsync(new ValidateOptions
        {
            Data = new DatasetSource { Path = file, Format = DataFormat.JsonLines },
            SchemaPath = schema,
            Baseline = stats,
            Drift = o.Drift,
            OutputDirectory = folder,
        }, cancellationToken);
        var drifted = result.Drift?.Columns.Where(c => c.Drifted).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Column} ({c.Method} {c.Score:0.###} > {c.Threshold:0.###})")).ToList() ?? [];
        var anomalies = result.Anomalies.Select(a => $"{a.Column}: {a.Kind}").ToList();
        return new VersionMonitoring(version, rows, result.Passed, drifted, anomalies, folder, null);
    }

    private static HashSet<string> ServedColumns(string file)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(file).Take(1000))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            foreach (var p in doc.RootElement.EnumerateObject()) names.Add(p.Name);
        }

        return names;
    }

    private static string Report(MonitorResult r)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# {(r.Passed ? "✅ Production inputs match training" : "❌ Production inputs drifted")}: {MarkdownText.Cell(r.Model)}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"{r.Log.Entries:N0} logged requests in {r.Log.Files} files, {r.Versions.Sum(v => v.Rows):N0} rows, compared with the training statistics of the version that served them.");
        foreach (var w in r.Warnings) s.AppendLine(CultureInfo.InvariantCulture, $"- ⚠️ {MarkdownText.Cell(w)}");
        s.AppendLine();
        s.AppendLine("| version | rows | verdict | drifted columns | anomalies |");
        s.AppendLine("| --- | ---: | --- | --- | --- |");
        foreach (var v in r.Versions)
        {
            var verdict = v.Problem is { } p ? $"❌ cannot check: {MarkdownText.Cell(p)}" : v.Passed ? "✅ pass" : "❌ fail";
            s.AppendLine(CultureInfo.InvariantCulture, $"| v{MarkdownText.Cell(v.Version)} | {v.Rows:N0} | {verdict} | {(v.Drifted.Count == 0 ? "–" : string.Join(", ", v.Drifted.Select(MarkdownText.Cell)))} | {(v.Anomalies.Count == 0 ? "–" : string.Join(", ", v.Anomalies.Select(MarkdownText.Cell)))} |");
        }

        return s.ToString();
    }
}
