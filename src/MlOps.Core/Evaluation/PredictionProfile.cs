using System.Text;
using MlOps.Data;
using MlOps.Scoring;
using MlOps.Validation.Statistics;

namespace MlOps.Evaluation;

/// <summary>
/// Model outputs as a dataset, under the column names of predictions files (<c>label</c>,
/// <c>probability</c>, <c>probability_CLASS</c>, <c>prediction</c>), so the predictions evaluate
/// made on the test rows (stored with the version at register) and the outputs the prediction log
/// holds compare column by column with validate's drift rules.
/// </summary>
public static class PredictionProfile
{
    /// <summary>The statistics of the evaluation-time predictions, written beside evaluation.json and kept with the version.</summary>
    public const string FileName = "prediction-stats.json";

    /// <summary>Profiles the predictions of every row.</summary>
    public static DatasetProfile Of(Predictions p, string source)
    {
        var profiler = new DatasetProfiler();
        profiler.BeginFile(source);
        var columns = Columns(profiler, p);
        for (var r = 0; r < p.Count; r++)
        {
            switch (p.Task)
            {
                case ModelTask.Binary:
                    profiler.Number(columns[0], p.Probability![r], isInteger: false);
                    profiler.Number(columns[1], p.Probability[r] >= 0.5f ? 1 : 0, isInteger: true);
                    break;
                case ModelTask.Multiclass:
                    profiler.Text(columns[0], Encoding.UTF8.GetBytes(p.Classes![p.PredictedClass(r)]));
                    for (var c = 0; c < p.Classes.Count; c++) profiler.Number(columns[c + 1], p.ClassProbabilities![(r * p.Classes.Count) + c], isInteger: false);
                    break;
                default:
                    profiler.Number(columns[0], p.Values![r], isInteger: false);
                    break;
            }

            profiler.EndRecord();
        }

        profiler.EndFile();
        return profiler.Build(source);
    }

    private static int[] Columns(IRecordSink sink, Predictions p) => p.Task switch
    {
        ModelTask.Binary => [sink.Column(PredictionsFile.ProbabilityColumn), sink.Column(PredictionsFile.LabelColumn)],
        ModelTask.Multiclass => [sink.Column(PredictionsFile.LabelColumn), .. p.Classes!.Select(c => sink.Column(PredictionsFile.ClassPrefix + c))],
        _ => [sink.Column(PredictionsFile.ValueColumn)],
    };
}
