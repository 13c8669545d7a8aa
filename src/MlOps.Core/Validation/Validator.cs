using MlOps.Artifacts;
using MlOps.Data;
using MlOps.Validation.Drift;
using MlOps.Validation.Schema;
using MlOps.Validation.Statistics;

namespace MlOps.Validation;

/// <summary>
/// The validate stage: one streaming pass over the data for statistics and value checks, then
/// schema anomalies and drift against the baseline, then the artifacts (stats.json, schema.json,
/// anomalies.json, drift.json, validation.json, report.md).
/// </summary>
public sealed class Validator
{
    private readonly IProgress<string>? _progress;

    /// <summary>Creates the stage; <paramref name="progress"/> hears about each file read.</summary>
    public Validator(IProgress<string>? progress = null) => _progress = progress;

    /// <summary>Creates the stage the way every stage is created: with a log line for each file read.</summary>
    public Validator(Action<string> log)
        : this(new LogProgress(log))
    {
    }

    /// <summary>Profiles a dataset in one pass.</summary>
    /// <param name="source">The dataset.</param>
    /// <param name="schema">A declared schema to check values against, or null.</param>
    /// <param name="shard">One shard of the rows or files, or null for all.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <param name="exactValues">Distinct numeric values per column counted exactly (validate.exact-values).</param>
    public async Task<DatasetProfile> ProfileAsync(DatasetSource source, DatasetSchema? schema, Shard? shard, CancellationToken cancellationToken = default, int exactValues = ColumnProfile.DefaultExactValues)
    {
        var files = source.ResolveFiles();
        if (shard is not null)
        {
            if (files.Count >= shard.Count)
            {
                files = files.Where((_, i) => i % shard.Count == shard.Index).ToList();
            }
            else
            {
                shard = shard with { ByRow = true };
            }
        }

        if (Environment.ProcessorCount < 2)
        {
            var profiler = new DatasetProfiler(schema, shard, exactValues, source.NonFiniteAsMissing);
            await source.ReadAsync(profiler, files, _progress, cancellationToken);
            return profiler.Build(source.Path);
        }

        // Every core: the reader parses on this thread while each profiler takes its share of the
        // columns on a thread of its own; the figures are the same as one profiler's.
        var parts = Enumerable.Range(0, Math.Min(Environment.ProcessorCount, 4)).Select(_ => new DatasetProfiler(schema, shard, exactValues, source.NonFiniteAsMissing)).ToArray();
        using (var pipeline = new PipelinedSink(parts))
        {
            await source.ReadAsync(pipeline, files, _progress, cancellationToken);
            pipeline.Complete();
        }

        return DatasetProfiler.Build(parts, source.Path);
    }

    /// <summary>Profiles a baseline: a stats.json is read, anything else is read as a dataset like the current one.</summary>
    public async Task<DatasetProfile> BaselineAsync(string baseline, DatasetSource like, CancellationToken cancellationToken = default)
    {
        if (baseline.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(baseline))
        {
            return await StatsFile.ReadAsync(baseline, cancellationToken);
        }

        return await ProfileAsync(like with { Path = baseline }, null, null, cancellationToken);
    }

    /// <summary>Runs the stage and writes its artifacts; the verdict is in the result (a failed gate is not an exception).</summary>
    public async Task<ValidationResult> RunAsync(ValidateOptions options, CancellationToken cancellationToken = default)
    {
        var declared = options.SchemaPath is null ? null : await SchemaFile.ReadAsync(options.SchemaPath, cancellationToken);
        var profile = await ProfileAsync(options.Data, declared, options.Shard, cancellationToken, options.ExactValues);
        Directory.CreateDirectory(options.OutputDirectory);
        var statsPath = Path.Combine(options.OutputDirectory, ArtifactKinds.Stats);

        if (options.Shard is not null)
        {
            // A shard is a partial: gates run after 'mlops stats merge'.
            await StatsFile.WriteAsync(statsPath, profile, cancellationToken);
            return new ValidationResult { Profile = profile, Schema = SchemaInference.Infer(profile), SchemaDeclared = false, Anomalies = [], OutputDirectory = options.OutputDirectory };
        }

        var baseline = options.Baseline is null ? null : await BaselineAsync(options.Baseline, options.Data, cancellationToken);
        var fingerprint = (await Artifacts.DataFingerprint.DatasetAsync(options.Data.ResolveFiles(), cancellationToken)).Fingerprint;
        return await CheckAsync(profile, declared, baseline, options.Drift, options.OutputDirectory, fingerprint, cancellationToken);
    }

    /// <summary>
    /// The gates on a profile already built (the monitor's served rows): schema anomalies and drift
    /// against <paramref name="baseline"/>, with the same artifacts as a validate run.
    /// </summary>
    public static async Task<ValidationResult> CheckAsync(DatasetProfile profile, DatasetSchema? declared, DatasetProfile? baseline, DriftOptions drift, string outputDirectory, string? fingerprint, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDirectory);
        var result = new ValidationResult
        {
            Profile = profile,
            Schema = declared ?? SchemaInference.Infer(profile),
            SchemaDeclared = declared is not null,
            Anomalies = declared is null ? [] : SchemaValidator.Validate(declared, profile),
            Drift = baseline is null ? null : DriftDetector.Compare(baseline, profile, drift),
            Fingerprint = fingerprint,
            OutputDirectory = outputDirectory,
        };
        await ValidationArtifacts.WriteAsync(result, cancellationToken);
        return result;
    }

    private sealed class LogProgress(Action<string> log) : IProgress<string>
    {
        public void Report(string value) => log($"reading {value}");
    }
}
