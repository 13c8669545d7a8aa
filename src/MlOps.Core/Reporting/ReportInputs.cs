using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Training;

namespace MlOps.Reporting;

/// <summary>The stage outputs one report covers; any of them may be absent.</summary>
public sealed record ReportInputs(ValidationArtifactsView? Validation, RunRecord? Run, EvaluationResult? Evaluation)
{
    /// <summary>True when there is nothing to report.</summary>
    public bool IsEmpty => Validation is null && Run is null && Evaluation is null;

    /// <summary>
    /// Where the stage outputs do not belong to one run: the evaluation scored another model than
    /// the training folder holds, or validation checked other data than training read. Empty when
    /// they hang together (or a stage is absent, so there is nothing to compare).
    /// </summary>
    public IReadOnlyList<string> Mismatches
    {
        get
        {
            var found = new List<string>();
            if (Run is { } run && Evaluation is { } e)
            {
                if (e.Candidate.Sha256 != run.Model.Sha256)
                {
                    found.Add($"evaluation.json evaluated a model with sha256 {Short(e.Candidate.Sha256)}{(e.Candidate.RunId is { } id ? $" (run {id})" : string.Empty)}, but the training folder holds {Short(run.Model.Sha256)} (run {run.RunId})");
                }
            }

            if (Run is { } r && Validation?.Summary.Fingerprint is { } validated && r.Data.Fingerprint is { Length: > 0 } trained && validated != trained)
            {
                found.Add($"validation.json checked data {Short(validated)}, but run {r.RunId} trained on data {Short(trained)}");
            }

            return found;
        }
    }

    /// <summary>
    /// Every stage that ran said yes: validation passed and the candidate is blessed, and the
    /// outputs belong to one run. A stage that did not run does not count against it.
    /// </summary>
    public bool Passed => (Validation?.Summary.Passed ?? true) && (Evaluation?.Blessed ?? true) && Mismatches.Count == 0;

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    /// <summary>
    /// Reads the stage folders that exist. A folder given explicitly must hold its stage's
    /// artifact; a default folder that is missing is simply skipped.
    /// </summary>
    public static async Task<ReportInputs> ReadAsync(StageFolder validation, StageFolder train, StageFolder evaluation, CancellationToken cancellationToken = default)
    {
        var v = validation.Present(ArtifactKinds.Validation) ? await ValidationArtifactsView.ReadAsync(validation.Path, cancellationToken) : null;
        var r = train.Present(RunRecord.FileName) ? await RunRecord.ReadAsync(System.IO.Path.Combine(train.Path, RunRecord.FileName), cancellationToken) : null;
        var e = evaluation.Present(EvaluationResult.FileName) ? await EvaluationResult.ReadAsync(System.IO.Path.Combine(evaluation.Path, EvaluationResult.FileName), cancellationToken) : null;
        return new ReportInputs(v, r, e);
    }
}

/// <summary>A stage output folder, and whether the user named it (then it must exist).</summary>
public sealed record StageFolder(string Path, bool Explicit)
{
    /// <summary>A stage left out of the report.</summary>
    public static readonly StageFolder Skipped = new(string.Empty, false);

    /// <summary>True when the folder holds <paramref name="file"/>.</summary>
    /// <exception cref="DataException">The user named the folder and the file is not there.</exception>
    public bool Present(string file)
    {
        if (Path.Length == 0) return false; // skipped on purpose
        var path = System.IO.Path.Combine(Path, file);
        if (File.Exists(path)) return true;
        if (Explicit) throw Errors.Data(path, "file not found; is this the right stage output folder?");
        return false;
    }
}
