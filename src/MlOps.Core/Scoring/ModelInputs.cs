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

    /// <summary>The data's feature columns in file order: all but the label, the split key and the excluded ones.</summary>
    public static IReadOnlyList<string> FeatureColumns(Table table, string label, string? splitKey, IReadOnlyList<string> exclude) =>
        table.Columns.Select(c => c.Name).Where(n => n != label && n != splitKey && !exclude.Contains(n)).ToList();

    /// <summary>The distinct label values of some rows, sorted as exporters number classes (numerically when all are numbers).</summary>
    public static IReadOnlyList<string> LabelValues(TableColumn label, IEnumerable<int> rows) =>
        OnnxBinder.SortClasses(rows.Where(r => !label.IsMissing(r)).Select(label.Format).OfType<string>());

    private static string Describe(ColumnKind kind) => kind == ColumnKind.Numeric ? "numbers" : "text";
}
