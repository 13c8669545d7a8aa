namespace MlOps.Validation.Statistics;

/// <summary>The logical type of a column, inferred from its values or declared in schema.json.</summary>
public enum ColumnType
{
    /// <summary>Every value is missing; the type cannot be told.</summary>
    Unknown,

    /// <summary>Whole numbers.</summary>
    Integer,

    /// <summary>Real numbers.</summary>
    Number,

    /// <summary>true/false.</summary>
    Boolean,

    /// <summary>Text: categories, identifiers, free text.</summary>
    String,

    /// <summary>Calendar dates (Parquet DATE, ISO-8601 <c>2024-05-01</c>).</summary>
    Date,

    /// <summary>Dates with a time of day, naive or zoned (Parquet TIMESTAMP, ISO-8601 text).</summary>
    Timestamp,
}

/// <summary>Names of <see cref="ColumnType"/> as written in JSON and YAML.</summary>
public static class ColumnTypes
{
    /// <summary>The lower-case name.</summary>
    public static string Name(this ColumnType type) => type switch
    {
        ColumnType.Integer => "integer",
        ColumnType.Number => "number",
        ColumnType.Boolean => "boolean",
        ColumnType.String => "string",
        ColumnType.Date => "date",
        ColumnType.Timestamp => "timestamp",
        _ => "unknown",
    };

    /// <summary>Parses a lower-case name; null when unknown.</summary>
    public static ColumnType? Parse(string? name) => name switch
    {
        "integer" => ColumnType.Integer,
        "number" => ColumnType.Number,
        "boolean" => ColumnType.Boolean,
        "string" => ColumnType.String,
        "date" => ColumnType.Date,
        "timestamp" => ColumnType.Timestamp,
        "unknown" => ColumnType.Unknown,
        _ => null,
    };

    /// <summary>True for integer and number.</summary>
    public static bool IsNumeric(this ColumnType type) => type is ColumnType.Integer or ColumnType.Number;

    /// <summary>True for date and timestamp.</summary>
    public static bool IsTime(this ColumnType type) => type is ColumnType.Date or ColumnType.Timestamp;
}
