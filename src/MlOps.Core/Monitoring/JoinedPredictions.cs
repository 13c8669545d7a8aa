using System.Text.Json;
using MlOps.Evaluation;
using MlOps.Scoring;

namespace MlOps.Monitoring;

/// <summary>Logged outputs whose ground truth arrived, in the order they joined: back to <see cref="Predictions"/> for the metrics.</summary>
public sealed class JoinedPredictions
{
    private readonly List<int> _labelRows = [];
    private readonly List<float> _values = [];
    private readonly List<string> _classes = [];
    private readonly Dictionary<string, int> _classIndex = new(StringComparer.Ordinal);
    private readonly List<Dictionary<int, float>> _classScores = [];
    private ModelTask? _task;
    private long _unreadable;

    /// <summary>Rows joined.</summary>
    public int Count => _labelRows.Count;

    /// <summary>Joined rows whose logged output had no score (skipped).</summary>
    public long Unreadable => _unreadable;

    /// <summary>The label rows of the joined rows, in order.</summary>
    public int[] LabelRows => [.. _labelRows];

    /// <summary>Adds a joined row: its label row and its logged output.</summary>
    public void Add(int labelRow, JsonElement output)
    {
        if (output.ValueKind != JsonValueKind.Object)
        {
            _unreadable++;
            return;
        }

        if (output.TryGetProperty("probabilities", out var probabilities) && probabilities.ValueKind == JsonValueKind.Object)
        {
            _task = ModelTask.Multiclass;
            var scores = new Dictionary<int, float>();
            foreach (var c in probabilities.EnumerateObject())
            {
                if (!_classIndex.TryGetValue(c.Name, out var index))
                {
                    index = _classes.Count;
                    _classes.Add(c.Name);
                    _classIndex[c.Name] = index;
                }

                if (c.Value.TryGetSingle(out var p)) scores[index] = p;
            }

            _classScores.Add(scores);
        }
        else if (output.TryGetProperty(PredictionsFile.ProbabilityColumn, out var probability) && probability.TryGetSingle(out var p))
        {
            _task = ModelTask.Binary;
            _values.Add(p);
        }
        else if (output.TryGetProperty(PredictionsFile.ValueColumn, out var value) && value.TryGetSingle(out var v))
        {
            _task = ModelTask.Regression;
            _values.Add(v);
        }
        else
        {
            _unreadable++;
            return;
        }

        _labelRows.Add(labelRow);
    }

    /// <summary>Appends another worker's joined rows (classes matched by name).</summary>
    public void AddAll(JoinedPredictions other)
    {
        _task ??= other._task;
        _unreadable += other._unreadable;
        _labelRows.AddRange(other._labelRows);
        _values.AddRange(other._values);
        foreach (var scores in other._classScores)
        {
            var mapped = new Dictionary<int, float>();
            foreach (var (c, p) in scores)
            {
                var name = other._classes[c];
                if (!_classIndex.TryGetValue(name, out var index))
                {
                    index = _classes.Count;
                    _classes.Add(name);
                    _classIndex[name] = index;
                }

                mapped[index] = p;
            }

            _classScores.Add(mapped);
        }
    }

    /// <summary>The joined outputs as predictions of the task (null when none joined).</summary>
    public Predictions? ToPredictions() => _task switch
    {
        ModelTask.Binary => Predictions.Binary([.. _values]),
        ModelTask.Regression => Predictions.Regression([.. _values]),
        ModelTask.Multiclass => Predictions.Multiclass(_classes, Flatten()),
        _ => null,
    };

    private float[] Flatten()
    {
        var k = _classes.Count;
        var flat = new float[_classScores.Count * k];
        for (var r = 0; r < _classScores.Count; r++)
        {
            foreach (var (c, p) in _classScores[r]) flat[(r * k) + c] = p;
        }

        return flat;
    }
}
