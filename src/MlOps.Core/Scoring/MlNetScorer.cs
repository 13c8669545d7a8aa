using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>
/// Scores an ML.NET model (a saved model.zip, or the transformer still in memory after training)
/// by streaming table rows through its transforms: the preprocessing saved in the model is the
/// preprocessing applied.
/// </summary>
public sealed class MlNetScorer : IModelScorer
{
    /// <summary>Up to this many rows go through pooled row engines (serving); more stream through Transform (evaluation).</summary>
    public const int RowEngineLimit = 256;

    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly string _name;
    private readonly ConcurrentBag<MlNetRowEngine> _engines = [];

    /// <summary>Wraps a model and the input schema it was saved with.</summary>
    public MlNetScorer(MLContext ml, ITransformer model, DataViewSchema inputSchema, string name)
    {
        _ml = ml;
        _model = model;
        _inputSchema = inputSchema;
        _name = name;
        Inputs = inputSchema.Select(c => new ModelInput(c.Name, c.Type is TextDataViewType ? ColumnKind.Text
            : c.Type == NumberDataViewType.Single ? ColumnKind.Numeric
            : throw Errors.Data(name, $"the model input '{c.Name}' has type {c.Type}; mlops feeds single-precision numbers and text."))).ToList();
        var output = model.GetOutputSchema(inputSchema);
        if (output.GetColumnOrNull("Probability") is not null)
        {
            Task = ModelTask.Binary;
        }
        else if (output.GetColumnOrNull("Score") is { Type: VectorDataViewType vector } score)
        {
            Task = ModelTask.Multiclass;
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            score.GetSlotNames(ref names);
            Classes = names.DenseValues().Select(n => n.ToString()).ToList();
            if (Classes.Count != vector.Size) throw Errors.Data(name, "the model's scores have no class names.");
        }
        else if (output.GetColumnOrNull("Score") is not null)
        {
            Task = ModelTask.Regression;
        }
        else
        {
            throw Errors.Data(name, "the ML.NET model has no Score or Probability output; is it a trained prediction model?");
        }
    }

    /// <inheritdoc/>
    public string Format => "mlnet";

    /// <inheritdoc/>
    public ModelTask Task { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>Multiclass: the class names in score order.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>Loads a saved model.zip.</summary>
    /// <exception cref="DataException">The file is missing or not an ML.NET model.</exception>
    public static MlNetScorer Load(string path)
    {
        if (!File.Exists(path)) throw Errors.Data(path, "model file not found.");
        var ml = new MLContext();
        try
        {
            var model = ml.Model.Load(path, out var schema);
            return new MlNetScorer(ml, model, schema, path);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or ArgumentException)
        {
            throw Errors.Data(path, $"not a readable ML.NET model ({e.Message.Split('\n')[0]}).");
        }
    }

    /// <inheritdoc/>
    public Predictions Score(Table table, int[] rows)
    {
        var columns = ModelInputs.Resolve(table, Inputs, _name);
        return rows.Length <= RowEngineLimit ? ScoreRows(columns, rows) : ScoreStream(table, columns, rows);
    }

    /// <summary>
    /// Many rows (evaluation, train metrics, batch scoring): streaming passes through the model's
    /// Transform, one per core over contiguous parts of the rows (a transformer is immutable, so
    /// parts score independently), each writing its own slice: the same values in the same order.
    /// </summary>
    internal Predictions ScoreStream(Table table, TableColumn[] columns, int[] rows)
    {
        var values = new float[rows.Length * Width];
        var parts = rows.Length >= 2 * ParallelPartRows ? Math.Min(Environment.ProcessorCount, rows.Length / ParallelPartRows) : 1;
        var size = (rows.Length + parts - 1) / parts;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            var start = part * size;
            var end = Math.Min(rows.Length, start + size);
            if (start >= end) return;
            var scored = _model.Transform(new TableDataView(table, rows[start..end], columns));
            var i = start;
            if (Task == ModelTask.Multiclass)
            {
                foreach (var v in scored.GetColumn<VBuffer<float>>(OutputColumn)) v.CopyTo(values, i++ * Width);
            }
            else
            {
                foreach (var v in scored.GetColumn<float>(OutputColumn)) values[i++] = v;
            }
        });

        return Wrap(values);
    }

    // Below this many rows per part, a second pass costs more than it saves.
    private const int ParallelPartRows = 25_000;

    /// <summary>
    /// A few rows (a serving request): a pooled engine maps each row through the model's bound
    /// row-to-row mapper, which skips building a data view and its cursors per call.
    /// </summary>
    internal Predictions ScoreRows(TableColumn[] columns, int[] rows)
    {
        var values = new float[rows.Length * Width];
        if (!_engines.TryTake(out var engine))
        {
            engine = new MlNetRowEngine(_model, _inputSchema, OutputColumn, Task == ModelTask.Multiclass);
        }

        try
        {
            engine.Score(columns, rows, values, Width);
        }
        catch
        {
            engine.Dispose();
            throw;
        }

        // One engine per concurrent caller at most, so the pool never outgrows the request concurrency.
        _engines.Add(engine);
        return Wrap(values);
    }

    /// <summary>The output both paths read: the probability (binary) or the score (a vector of class probabilities for multiclass).</summary>
    private string OutputColumn => Task == ModelTask.Binary ? "Probability" : "Score";

    /// <summary>Values per row: one, or one per class.</summary>
    private int Width => Task == ModelTask.Multiclass ? Classes!.Count : 1;

    private Predictions Wrap(float[] values) => Task switch
    {
        ModelTask.Binary => Predictions.Binary(values),
        ModelTask.Multiclass => Predictions.Multiclass(Classes!, values),
        _ => Predictions.Regression(values),
    };

    /// <summary>Saves the model with its input schema.</summary>
    public void Save(Stream stream, DataViewSchema inputSchema) => _ml.Model.Save(_model, inputSchema, stream);

    /// <inheritdoc/>
    public void Dispose()
    {
        while (_engines.TryTake(out var engine)) engine.Dispose();
        (_model as IDisposable)?.Dispose();
    }
}
