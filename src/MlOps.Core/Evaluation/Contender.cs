using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Training;

namespace MlOps.Evaluation;

/// <summary>
/// One side of an evaluation, the candidate or the baseline: a model we score, or the predictions
/// file of a model we cannot run (given, or written by the training command beside a model that
/// ONNX Runtime cannot score from rows).
/// </summary>
internal sealed class Contender : IDisposable
{
    private readonly EvaluateOptions _options;

    private Contender(string which, ModelLocation location, IModelScorer? scorer, string? predictions, EvaluateOptions options)
    {
        Which = which;
        Location = location;
        Scorer = scorer;
        PredictionsPath = predictions;
        _options = options;
    }

    /// <summary>candidate or baseline.</summary>
    public string Which { get; }

    /// <summary>Where it came from.</summary>
    public ModelLocation Location { get; }

    /// <summary>The model, when we score it.</summary>
    public IModelScorer? Scorer { get; private set; }

    /// <summary>The predictions file, when the model is not scored here.</summary>
    public string? PredictionsPath { get; private set; }

    /// <summary>The path evaluation.json names.</summary>
    public string Path => PredictionsPath ?? Location.ModelPath;

    /// <summary>The columns the model reads (none for a predictions file).</summary>
    public IEnumerable<ModelInput> Inputs => Scorer?.Inputs ?? [];

    /// <summary>Opens a model, or takes a predictions file.</summary>
    public static Contender Open(string which, ModelLocation location, string? predictions, EvaluateOptions o) =>
        predictions is not null
            ? new Contender(which, location, null, predictions, o)
            : new Contender(which, location, ModelLoader.Load(location.ModelPath, o.Task, Binding(o, location.Run, null)), null, o);

    /// <summary>
    /// Once the data is read: a matrix input nobody named takes the data's feature columns in file
    /// order; a model that still cannot score rows falls back to predictions.csv beside it.
    /// </summary>
    public void Bind(Table table)
    {
        if (Scorer is not OnnxScorer { RowsUnavailable: not null }) return;
        Scorer.Dispose();
        Scorer = null;
        var label = table.Find(_options.Label);
        var rebound = ModelLoader.Load(Location.ModelPath, _options.Task, Binding(_options, Location.Run, table) with
        {
            TrainingClasses = Location.Run?.Classes ?? (label is null || _options.Task == ModelTask.Regression ? null : ModelInputs.LabelValues(label, Enumerable.Range(0, table.RowCount))),
        });
        if (rebound.RowsUnavailable is not { } why)
        {
            Scorer = rebound;
            return;
        }

        rebound.Dispose();
        var beside = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Location.ModelPath))!, PredictionsFile.DefaultFileName);
        PredictionsPath = File.Exists(beside) ? beside : throw Errors.Data(Location.ModelPath, why);
    }

    /// <summary>The predictions for the evaluated rows.</summary>
    public async Task<Predictions> PredictAsync(Table table, int[] rows, LabelSpec label, TableColumn labelColumn, CancellationToken cancellationToken)
    {
        if (Scorer is not null) return Scorer.Score(table, rows);
        var key = PredictionsKey(_options);
        var file = await PredictionsFile.ReadAsync(PredictionsPath!, key, cancellationToken);
        var classes = _options.Task == ModelTask.Multiclass ? ModelInputs.LabelValues(labelColumn, rows) : [];
        return file.For(table, rows, _options.Task, key, classes, label.PositiveClass);
    }

    /// <summary>The key column predictions join on: --predictions-key, else split.key; null for row order.</summary>
    public static string? PredictionsKey(EvaluateOptions o) => o.PredictionsKey switch
    {
        "row-order" => null,
        { } key => key,
        null => o.Split.Key ?? throw Errors.Config("--predictions-key", "names the key column that joins predictions to the evaluation rows (split.key is not set); or pass row-order when the file has one row per data row, in order."),
    };

    /// <inheritdoc/>
    public void Dispose() => Scorer?.Dispose();

    private static ModelBinding Binding(EvaluateOptions o, RunRecord? run, Table? table) => RunRecord.BindingOf(run, o.Model) with
    {
        DataColumns = table is null ? null : ModelInputs.FeatureColumns(table, o.Label, o.Split.Key, o.Exclude),
        PositiveClass = o.PositiveClass ?? run?.PositiveClass,
    };
}
