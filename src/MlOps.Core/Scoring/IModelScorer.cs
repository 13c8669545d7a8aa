using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>An input a model needs: the column name and whether it takes numbers or text.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Kind">Numeric or text.</param>
public sealed record ModelInput(string Name, ColumnKind Kind);

/// <summary>A loaded model of any format that scores rows of a <see cref="Table"/>.</summary>
public interface IModelScorer : IDisposable
{
    /// <summary>"mlnet" or "onnx".</summary>
    string Format { get; }

    /// <summary>What the model predicts.</summary>
    ModelTask Task { get; }

    /// <summary>The columns the model reads.</summary>
    IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>Why table rows cannot be scored (an input no column can feed, an unknown task); null when they can.</summary>
    string? RowsUnavailable => null;

    /// <summary>Scores the given rows.</summary>
    /// <exception cref="DataException">The table lacks an input or has the wrong kind of values for it.</exception>
    Predictions Score(Table table, int[] rows);
}
