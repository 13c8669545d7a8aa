using System.Globalization;
using MlOps.Validation.Statistics;

namespace MlOps.Validation.Schema;

/// <summary>Finds every way a profiled dataset breaks a schema.</summary>
public static class SchemaValidator
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>All anomalies, dataset-level first, then by column in schema order.</summary>
    public static IReadOnlyList<Anomaly> Validate(DatasetSchema schema, DatasetProfile profile)
    {
        var anomalies = new List<Anomaly>();
        if (schema.MinRows is { } min && profile.Rows < min)
        {
            anomalies.Add(new Anomaly { Kind = "row-count", Expected = $"at least {min} rows", Actual = $"{profile.Rows} rows", Count = profile.Rows });
        }

        if (schema.MaxRows is { } max && profile.Rows > max)
        {
            anomalies.Add(new Anomaly { Kind = "row-count", Expected = $"at most {max} rows", Actual = $"{profile.Rows} rows", Count = profile.Rows });
        }

        foreach (var declared in schema.Columns)
        {
            var c = profile.Find(declared.Name);
            if (c is null)
            {
                if (declared.Required)
                {
                    anomalies.Add(new Anomaly { Column = declared.Name, Kind = "missing-column", Expected = $"a column \"{declared.Name}\" ({declared.Type.Name()})", Actual = "no such column", File = profile.Files.FirstOrDefault() });
                }

                continue;
            }

            if (profile.Violations.TryGetValue(declared.Name, out var violations))
            {
                foreach (var v in violations)
                {
                    anomalies.Add(FromViolation(declared, v));
                }
            }

            var rate = c.Count == 0 ? 0 : (double)c.Missing / c.Count;
            if (declared.MaxMissingRate is { } limit && rate > limit)
            {
                anomalies.Add(new Anomaly
                {
                    Column = declared.Name,
                    Kind = "missing-rate",
                    Expected = string.Format(Inv, "at most {0:P1} missing", limit),
                    Actual = string.Format(Inv, "{0:P1} missing ({1} of {2})", rate, c.Missing, c.Count),
                    Count = c.Missing,
                });
            }
        }

        if (!schema.AllowNewColumns)
        {
            foreach (var c in profile.Columns.Where(c => schema.Find(c.Name) is null))
            {
                anomalies.Add(new Anomaly { Column = c.Name, Kind = "new-column", Expected = "only the columns in the schema", Actual = $"a new column \"{c.Name}\" ({c.InferredType.Name()})", File = profile.Files.FirstOrDefault() });
            }
        }

        return anomalies;
    }

    private static Anomaly FromViolation(ColumnSchema declared, Violation v)
    {
        var examples = string.Join(", ", v.Examples.Select(e => $"'{e}'"));
        var (kind, expected) = v.Kind switch
        {
            ViolationKind.TypeMismatch => ("type-mismatch", $"{declared.Type.Name()} values"),
            ViolationKind.OutOfDomain => ("out-of-domain", "one of " + string.Join(", ", (declared.Domain ?? []).Take(10)) + ((declared.Domain?.Count ?? 0) > 10 ? ", ..." : string.Empty)),
            _ => ("out-of-range", Range(declared)),
        };
        return new Anomaly
        {
            Column = declared.Name,
            Kind = kind,
            Expected = expected,
            Actual = string.Format(Inv, "{0} value{1} such as {2}", v.Count, v.Count == 1 ? string.Empty : "s", examples),
            Count = v.Count,
            File = v.File,
            Row = v.Row,
        };
    }

    private static string Range(ColumnSchema c) => (c.Min, c.Max) switch
    {
        ({ } lo, { } hi) => string.Format(Inv, "values in [{0}, {1}]", lo, hi),
        ({ } lo, null) => string.Format(Inv, "values ≥ {0}", lo),
        (null, { } hi) => string.Format(Inv, "values ≤ {0}", hi),
        _ => "any value",
    };
}
