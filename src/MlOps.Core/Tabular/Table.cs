namespace MlOps.Tabular;

/// <summary>How a column enters a model: as a number or as text (categories, free text).</summary>
public enum ColumnKind
{
    /// <summary>A real number; missing is NaN.</summary>
    Numeric,

    /// <summary>Text; missing is null.</summary>
    Text,
}

/// <summary>
/// One column of a <see cref="Table"/>, stored contiguously: numbers as <see cref="float"/> (what
/// ML.NET and ONNX models consume), text as interned strings, so repeated categories cost one
/// reference per row.
/// </summary>
public sealed class TableColumn
{
    internal TableColumn(string name, ColumnKind kind, float[]? numbers, string?[]? texts)
    {
        Name = name;
        Kind = kind;
        Numbers = numbers;
        Texts = texts;
    }

    /// <summary>A numeric column (NaN = missing).</summary>
    public static TableColumn Numeric(string name, float[] values) => new(name, ColumnKind.Numeric, values, null);

    /// <summary>A text column (null = missing).</summary>
    public static TableColumn Text(string name, string?[] values) => new(name, ColumnKind.Text, null, values);

    /// <summary>The column name as in the data.</summary>
    public string Name { get; }

    /// <summary>Numeric or text.</summary>
    public ColumnKind Kind { get; }

    /// <summary>The values of a numeric column (NaN = missing); null for text.</summary>
    public float[]? Numbers { get; }

    /// <summary>The values of a text column (null = missing); null for numeric.</summary>
    public string?[]? Texts { get; }

    /// <summary>A text copy of a column (numbers in round-trip form).</summary>
    public static TableColumn TextOf(TableColumn column)
    {
        if (column.Kind == ColumnKind.Text) return column;
        var texts = new string?[column.Numbers!.Length];
        for (var i = 0; i < texts.Length; i++) texts[i] = column.Format(i);
        return new TableColumn(column.Name, ColumnKind.Text, null, texts);
    }

    /// <summary>A copy of this column where row <paramref name="to"/>[i] takes the value of row <paramref name="from"/>[i]; other rows keep theirs.</summary>
    public TableColumn Moved(int[] to, int[] from)
    {
        if (Kind == ColumnKind.Numeric)
        {
            var numbers = (float[])Numbers!.Clone();
            for (var i = 0; i < to.Length; i++) numbers[to[i]] = Numbers[from[i]];
            return new TableColumn(Name, Kind, numbers, null);
        }

        var texts = (string?[])Texts!.Clone();
        for (var i = 0; i < to.Length; i++) texts[to[i]] = Texts[from[i]];
        return new TableColumn(Name, Kind, null, texts);
    }

    /// <summary>True when the cell at <paramref name="row"/> is missing.</summary>
    public bool IsMissing(int row) => Kind == ColumnKind.Numeric ? float.IsNaN(Numbers![row]) : Texts![row] is null;

    /// <summary>The cell as text (numbers in round-trip form), null when missing.</summary>
    public string? Format(int row) => Kind == ColumnKind.Text
        ? Texts![row]
        : float.IsNaN(Numbers![row]) ? null : Numbers[row].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A dataset held in memory column by column, with each row's split part (train, eval, test)
/// decided while it was read. Training and scoring share it so both see identical values.
/// </summary>
public sealed class Table
{
    internal Table(IReadOnlyList<TableColumn> columns, int rowCount, byte[]? parts, IReadOnlyList<string> partNames)
    {
        Columns = columns;
        RowCount = rowCount;
        Parts = parts;
        PartNames = partNames;
    }

    /// <summary>A table of equally long columns, not split (requests to a model server).</summary>
    /// <exception cref="ArgumentException">The columns differ in length.</exception>
    public static Table Of(IReadOnlyList<TableColumn> columns)
    {
        var rows = columns.Count == 0 ? 0 : columns[0].Numbers?.Length ?? columns[0].Texts!.Length;
        if (columns.Any(c => (c.Numbers?.Length ?? c.Texts!.Length) != rows)) throw new ArgumentException("Every column must have the same number of rows.", nameof(columns));
        return new Table(columns, rows, null, []);
    }

    /// <summary>The columns in data order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Each row's part index into <see cref="PartNames"/>; null when the table was not split.</summary>
    public byte[]? Parts { get; }

    /// <summary>The split part names (train, eval, test).</summary>
    public IReadOnlyList<string> PartNames { get; }

    /// <summary>The column called <paramref name="name"/>, or null.</summary>
    public TableColumn? Find(string name)
    {
        foreach (var c in Columns)
        {
            if (c.Name == name) return c;
        }

        return null;
    }

    /// <summary>This table with one column replaced (same name), sharing every other column.</summary>
    public Table With(TableColumn replacement) =>
        new(Columns.Select(c => c.Name == replacement.Name ? replacement : c).ToList(), RowCount, Parts, PartNames);

    /// <summary>The indices of the rows in the named part (all rows when the table is not split).</summary>
    public int[] RowsOf(string part)
    {
        if (Parts is null) return Enumerable.Range(0, RowCount).ToArray();
        var index = PartNames.ToList().IndexOf(part);
        if (index < 0) return [];
        var rows = new List<int>();
        for (var i = 0; i < RowCount; i++)
        {
            if (Parts[i] == index) rows.Add(i);
        }

        return rows.ToArray();
    }
}
