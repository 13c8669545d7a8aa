using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>Matches a table's columns to a model's inputs, with errors that say what is wrong.</summary>
public static class ModelInputs
{
    /// <summary>The table column for each model input, in input order.</summary>
    /// <exception cref="DataException">A column is missing or holds the wrong kind of values.</exception>
    public static TableColumn[] Resolve(Table table, IReadOnlyList<ModelInput> inputs, string dataName)
    {
        var columns = new TableColumn[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var column = table.Find(input.Name)
                ?? throw Errors.Data(dataName, $"the model needs a column '{input.Name}' ({Describe(input.Kind)}), which the data lacks.");
            if (column.Kind != input.Kind)
            {
                // A numeric column a model reads as text (a category coded as numbers) converts without loss of meaning.
                column = input.Kind == ColumnKind.Text
                    ? TableColumn.TextOf(column)
                    : throw Errors.Data(dataName, $"column '{input.Name}' holds text, but the model expects numbers.");
            }

            columns[i] = column;
        }

        return columns;
    }

    /// <summary>The declared kinds for loading data a model will score.</summary>
    public static IReadOnlyDictionary<string, ColumnKind> Kinds(IReadOnlyList<ModelInput> inputs) =>
        inputs.ToDictionary(i => i.Name, i => i.Kind, StringComparer.Ordinal);

    private static string Describe(ColumnKind kind) => kind == ColumnKind.Numeric ? "numbers" : "text";
}
