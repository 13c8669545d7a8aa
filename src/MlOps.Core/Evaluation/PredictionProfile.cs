using System.Text;
using MlOps.Data;
using MlOps.Scoring;
using MlOps.Validation.Statistics;

namespace MlOps.Evaluation;

/// <summary>
/// Model outputs as a dataset, under the column names of predictions files (<c>label</c>,
/// <c>probability</c>, <c>probability_CLASS</c>, <c>prediction</c>), so the predictions evaluate
/// made on the test rows (stored with the version at register), the outputs the prediction log
/// holds and what a canary answered compare column by column with validate's drift rules.
/// </summary>
public static class PredictionProfile
{
    /// <summary>The statistics of the evaluation-time predictions, written beside evaluation.json and kept with the version.</summary>
    public const string FileName = "prediction-stats.json";

    /// <summary>Profiles the predictions of every row.</summary>
    public static DatasetProfile Of(Predictions p, string source)
    {
        var profiler = new PredictionProfiler(source);
        profiler.Add(p);
        return profiler.Build();
    }
}

/// <summary>Profiles predictions as they come (not thread-safe: one writer, or a lock).</summary>
public sealed class PredictionProfiler
{
    private readonly DatasetProfiler _profiler = new();
    private readonly string _source;

    /// <summary>Starts empty; <paramref name="source"/> names the rows in the profile.</summary>
    public PredictionProfiler(string source)
    {
        _source = source;
        _profiler.BeginFile(source);
    }

    /// <summary>Rows profiled.</summary>
    public long Rows => _profiler.Rows;

    /// <summary>Adds every row of <paramref name="p"/>.</summary>
    public void Add(Predictions p)
    {
        for (var r = 0; r < p.Count; r++)
        {
            switch (p.Task)
            {
                case ModelTask.Binary:
                    _profiler.Number(Column(PredictionsFile.ProbabilityColumn), p.Probability![r], isInteger: false);
                    _profiler.Number(Column(PredictionsFile.LabelColumn), p.Probability[r] >= 0.5f ? 1 : 0, isInteger: true);
                    break;
                case ModelTask.Multiclass:
                    _profiler.Text(Column(PredictionsFile.LabelColumn), Encoding.UTF8.GetBytes(p.Classes![p.PredictedClass(r)]));
                    for (var c = 0; c < p.Classes.Count; c++) _profiler.Number(Column(PredictionsFile.ClassPrefix + p.Classes[c]), p.ClassProbabilities![(r * p.Classes.Count) + c], isInteger: false);
                    break;
                default:
                    _profiler.Number(Column(PredictionsFile.ValueColumn), p.Values![r], isInteger: false);
                    break;
            }

            _profiler.EndRecord();
        }
    }

    /// <summary>The profile of every row added so far.</summary>
    public DatasetProfile Build() => _profiler.Build(_source);

    private int Column(string name) => _profiler.Column(name);
}
