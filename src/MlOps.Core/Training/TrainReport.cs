using System.Globalization;
using System.Text;
using MlOps.Metrics;

namespace MlOps.Training;

/// <summary>report.md for a training run: what was trained on what, and how it scored.</summary>
public static class TrainReport
{
    /// <summary>Renders the report.</summary>
    public static string Render(RunRecord r)
    {
        var s = new StringBuilder();
        var what = r.Trainer is { } t ? $"{t.Name} (seed {t.Seed})" : $"`{r.Command?.Line}`";
        s.AppendLine(CultureInfo.InvariantCulture, $"# Training run {r.RunId}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"**{r.Project}**: {r.Task} model of `{r.Label}` by {what}, {r.DurationSeconds:0.#} s. Model: `{r.Model.File}` ({r.Model.Format}, {r.Model.Bytes:N0} bytes, sha256 `{r.Model.Sha256[..12]}`).");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Data `{r.Data.Path}`: fingerprint `{r.Data.Fingerprint[..12]}`, rows {string.Join(", ", r.Data.Rows.Select(p => $"{p.Key} {p.Value:N0}"))}.");
        if (r.Mapping is { } mapping)
        {
            s.AppendLine();
            s.AppendLine("Model inputs and outputs:");
            s.AppendLine();
            s.Append(mapping.Markdown());
        }

        if (r.Refit is { } refit)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"Refit on train + eval ({refit.Rows:N0} rows{(refit.Rounds is { } rounds ? $", {rounds} rounds" : string.Empty)}) after the first fit; the eval metrics below are the first fit's, on rows it did not train on.");
        }

        if (r.Source.Commit is { } commit) s.AppendLine(CultureInfo.InvariantCulture, $"Source: `{commit[..Math.Min(12, commit.Length)]}`{(r.Source.Dirty == true ? " (uncommitted changes)" : string.Empty)}.");
        s.AppendLine();
        if (r.Metrics.Count > 0)
        {
            var splits = r.Metrics.Keys.ToList();
            var names = r.Metrics.Values.SelectMany(m => m.Keys).Distinct().ToList();
            s.AppendLine(CultureInfo.InvariantCulture, $"| metric | {string.Join(" | ", splits)} |");
            s.AppendLine(CultureInfo.InvariantCulture, $"| --- |{string.Concat(splits.Select(_ => " ---: |"))}");
            foreach (var n in names)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {n}{(MetricNames.HigherIsBetter(n) ? " ↑" : " ↓")} | {string.Join(" | ", splits.Select(sp => r.Metrics[sp].TryGetValue(n, out var v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–"))} |");
            }

            s.AppendLine();
        }

        if (r.CrossValidation is { } cv)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{cv.Folds}-fold cross-validation over train + eval ({cv.Rows:N0} rows; mean ± sd over the folds):");
            s.AppendLine();
            s.AppendLine("| metric | mean | sd | folds |");
            s.AppendLine("| --- | ---: | ---: | --- |");
            foreach (var (name, m) in cv.Metrics)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {m.Mean:0.####} | {m.Sd:0.####} | {string.Join(", ", m.Folds.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))} |");
            }

            s.AppendLine();
        }

        if (r.Search is { } search)
        {
            var names = search.Results.SelectMany(t => t.Hyperparameters.Keys).Distinct(StringComparer.Ordinal).ToList();
            var rungs = search.Results.Max(t => t.Rungs.Count);
            s.AppendLine(CultureInfo.InvariantCulture, $"Hyperparameter search ({search.Method}, {search.Trials} trials, eval {search.Metric}{(MetricNames.HigherIsBetter(search.Metric) ? " ↑" : " ↓")}): trial {search.Best} won, and its hyperparameters made the model.");
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"| trial | {string.Join(" | ", names)} | {(rungs > 1 ? string.Join(" | ", Enumerable.Range(1, rungs).Select(k => $"rung {k}")) : search.Metric)} |");
            s.AppendLine(CultureInfo.InvariantCulture, $"| ---: |{string.Concat(names.Select(_ => " ---: |"))}{string.Concat(Enumerable.Range(0, rungs).Select(_ => " ---: |"))}");
            foreach (var trial in search.Results)
            {
                var cells = names.Select(n => trial.Hyperparameters.TryGetValue(n, out var v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–");
                var scores = Enumerable.Range(0, rungs).Select(k => k < trial.Rungs.Count ? string.Create(CultureInfo.InvariantCulture, $"{trial.Rungs[k].Score:0.####} ({trial.Rungs[k].Rows:N0} rows)") : "–");
                s.AppendLine(CultureInfo.InvariantCulture, $"| {(trial.Number == search.Best ? $"**{trial.Number}**" : trial.Number.ToString(CultureInfo.InvariantCulture))} | {string.Join(" | ", cells)} | {string.Join(" | ", scores)} |");
            }

            s.AppendLine();
        }

        if (r.Features is { Count: > 0 } features)
        {
            s.AppendLine("<details><summary>Features</summary>");
            s.AppendLine();
            foreach (var f in features) s.AppendLine(CultureInfo.InvariantCulture, $"- `{f.Column}`: {f.Role.ToString().ToLowerInvariant()}{(f.Distinct is { } d ? $" ({d} values)" : string.Empty)}");
            foreach (var e in r.Excluded ?? []) s.AppendLine(CultureInfo.InvariantCulture, $"- excluded {e}");
            s.AppendLine();
            s.AppendLine("</details>");
        }

        return s.ToString();
    }
}
