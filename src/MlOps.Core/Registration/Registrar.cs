using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Registry;
using MlOps.Reporting;

namespace MlOps.Registration;

/// <summary>
/// The register stage: a trained model that its evaluation blessed (the same file, by SHA-256)
/// becomes the next immutable version, with run.json, evaluation.json, the schema and statistics
/// it was validated against, and a model card. Not blessed is an outcome, not an error.
/// </summary>
public sealed class Registrar(ModelRegistry registry)
{
    /// <summary>Runs the stage.</summary>
    /// <exception cref="ConfigException">--force without a reason, or no evaluation to bless the model.</exception>
    /// <exception cref="DataException">No model, or the evaluation scored another model.</exception>
    public async Task<RegisterResult> RunAsync(RegisterOptions o, CancellationToken cancellationToken = default)
    {
        var location = await ModelLocation.FindAsync(o.Model, cancellationToken)
            ?? throw Errors.Data(o.Model, "no model here; run 'mlops train' first or pass --model.");
        var eval = File.Exists(o.Evaluation) ? await EvaluationResult.ReadAsync(o.Evaluation, cancellationToken) : null;
        if (o.Force && string.IsNullOrWhiteSpace(o.Reason)) throw Errors.Config("--force", "needs --reason \"...\"; the reason is recorded with the version.");
        if (!o.Force)
        {
            if (eval is null) throw Errors.Config("--evaluation", $"no evaluation at {o.Evaluation}; run 'mlops evaluate' first, or register anyway with --force --reason.");
            if (!eval.Blessed) return new RegisterResult(o.Name, null, null, null, eval.Reasons);
            var (modelSha, _) = await DataFingerprint.FileAsync(location.ModelPath, cancellationToken);
            if (eval.Candidate.Sha256 != modelSha) throw Errors.Data(o.Evaluation, $"evaluated a different model (sha256 {eval.Candidate.Sha256[..12]}) than {location.ModelPath} ({modelSha[..12]}); evaluate this model first.");
        }

        var files = new List<ArtifactFile> { new(Path.GetFileName(location.ModelPath), location.ModelPath) };
        var dir = Path.GetDirectoryName(Path.GetFullPath(location.ModelPath))!;
        if (location.Run is not null) files.Add(new ArtifactFile(Training.RunRecord.FileName, Path.Combine(dir, Training.RunRecord.FileName)));
        if (eval is not null)
        {
            files.Add(new ArtifactFile(EvaluationResult.FileName, o.Evaluation));
            var predictions = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(o.Evaluation))!, PredictionProfile.FileName);
            if (File.Exists(predictions)) files.Add(new ArtifactFile(PredictionProfile.FileName, predictions));
        }
        foreach (var f in new[] { ArtifactKinds.Schema, ArtifactKinds.Stats })
        {
            if (o.Validation is { } v && File.Exists(Path.Combine(v, f))) files.Add(new ArtifactFile(f, Path.Combine(v, f)));
        }

        var card = Path.Combine(Path.GetTempPath(), "mlops-card-" + Guid.NewGuid().ToString("N")[..8] + ".md");
        await File.WriteAllTextAsync(card, ModelCard.Render(o.Name, location.Run, eval), cancellationToken);
        files.Add(new ArtifactFile("model-card.md", card));
        try
        {
            var version = await registry.RegisterAsync(new NewVersion
            {
                Name = o.Name,
                ModelFile = Path.GetFileName(location.ModelPath),
                Files = files,
                Manifest = new ModelVersion
                {
                    Name = o.Name,
                    Version = 0,
                    CreatedAt = DateTimeOffset.UtcNow,
                    CreatedBy = registry.Actor,
                    ModelFile = Path.GetFileName(location.ModelPath),
                    Format = Scoring.ModelLoader.FormatOf(location.ModelPath),
                    Artifacts = [],
                    RunId = location.Run?.RunId,
                    DataFingerprint = location.Run?.Data.Fingerprint,
                    SourceCommit = location.Run?.Source.Commit,
                    Metrics = eval?.Metrics.ToDictionary(m => m.Key, m => m.Value.Candidate) ?? new Dictionary<string, double>(),
                    Blessed = eval?.Blessed,
                    ForcedReason = o.Force ? o.Reason : null,
                    Tags = o.Tags,
                },
            }, cancellationToken);
            if (o.Alias is { } alias) await registry.PromoteAsync(o.Name, version.Version, RegistryNames.Alias(alias, "--alias"), o.Reason, cancellationToken);
            return new RegisterResult(o.Name, version, registry.Store.UriOf(RegistryNames.VersionKey(o.Name, version.Version)), o.Alias, []);
        }
        finally
        {
            File.Delete(card);
        }
    }
}
