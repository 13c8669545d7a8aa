using System.Globalization;
using System.Text;
using MlOps.Evaluation;
using MlOps.Training;

namespace MlOps.Reporting;

/// <summary>A model card in Markdown, generated from the run record and evaluation at registration.</summary>
public static class ModelCard
{
    /// <summary>Renders the card.</summary>
    public static string Render(string name, RunRecord? run, EvaluationResult? evaluation)
    {
        var s = new StringBuilder();
        s.AppendLine($"# Model card: {name}");
        s.AppendLine();
        if (run is not null)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"- **Task**: {run.Task}, predicting `{run.Label}`{(run.PositiveClass is { } p ? $" (positive class `{p}`)" : string.Empty)}{(run.Classes is { Count: > 0 } c ? $"; classes {string.Join(", ", c)}" : string.Empty)}");
            s.AppendLine(CultureInfo.InvariantCulture, $"- **Training**: {(run.Trainer is { } t ? $"{t.Name}, seed {t.Seed}, {string.Join(", ", t.Hyperparameters.Select(h => $"{h.Key} {h.Value.ToString(CultureInfo.InvariantCulture)}"))}" : $"command `{run.Command?.Line}`")}; run {run.RunId}");
            s.AppendLine(CultureInfo.InvariantCulture, $"- **Inputs**: {string.Join(", ", run.Inputs.Select(i => $"`{i.Name}` ({i.Type})"))}");
            s.AppendLine(CultureInfo.InvariantCulture, $"- **Data**: `{run.Data.Path}`, fingerprint `{run.Data.Fingerprint}`, rows {string.Join(", ", run.Data.Rows.Select(r => $"{r.Key} {r.Value}"))}");
            s.AppendLine(CultureInfo.InvariantCulture, $"- **Source**: commit `{run.Source.Commit ?? "unknown"}`{(run.Source.Dirty == true ? " (with uncommitted changes)" : string.Empty)}; {run.Tool}; {run.Host.Os}");
        }

        if (evaluation is not null)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"- **Evaluation**: {(evaluation.Blessed ? "blessed" : "not blessed")} on {evaluation.Data.Rows} rows ({evaluation.Data.Split} split){(evaluation.Baseline is { } b ? $" against {Path.GetFileName(b.Path)}" : ", no baseline")}");
            s.AppendLine();
            s.AppendLine("| metric | value | 95% interval |");
            s.AppendLine("| --- | ---: | ---: |");
            foreach (var (k, m) in evaluation.Metrics)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {m.Candidate:0.####} | {(m.CandidateInterval is { } i ? $"[{i.Low:0.####}, {i.High:0.####}]" : "–")} |");
            }

            if (evaluation.Slices.Count > 0)
            {
                s.AppendLine();
                s.AppendLine("Slices: " + string.Join("; ", evaluation.Slices.Select(c => $"{c.Column} gap {c.Gap?.ToString("0.####", CultureInfo.InvariantCulture) ?? "n/a"}")));
            }
        }

        return s.ToString();
    }
}
