using System.Globalization;
using MlOps.Validation.Statistics;

namespace MlOps.Validation.Schema;

/// <summary>Finds every way a profiled dataset breaks a schema.</summary>
public static class SchemaValidator
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>All anomalies, dataset-level first, then by column in schema order.</summary>
    /// <param name="schema">The declared schema.</param>
    /// <param name="profile">The data's profile.</param>
    /// <param name="now">The run's clock for freshness (<c>maxAge</c>); the system clock when null.</param>
    public static IReadOnlyList<Anomaly> Validate(DatasetSchema schema, DatasetProfile profile, DateTimeOffset? now = null)
    {
        var clock = now ?? DateTimeOffset.UtcNow;
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

            if (declared.MaxAge is { } maxAge && Freshness(declared, c, maxAge, clock) is { } stale)
            {
                anomalies.Add(stale);
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

    // The newest value must be at most maxAge before the run's clock. Naive times are read as UTC
    // (they carry no zone to say otherwise); a column with no time values cannot be shown fresh.
    private static Anomaly? Freshness(ColumnSchema declared, ColumnProfile c, TimeSpan maxAge, DateTimeOffset now)
    {
        var expected = $"the newest value at most {Describe(maxAge)} old at the run's clock ({now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'})";
        if (c.Times == 0)
        {
            return new Anomaly { Column = declared.Name, Kind = "stale", Expected = expected, Actual = "no date or timestamp values, so freshness cannot be checked", Count = 0 };
        }

        var newest = c.Moments.Max;
        var age = TimeSpan.FromSeconds((now - DateTimeOffset.UnixEpoch).TotalSeconds - newest);
        if (age <= maxAge) return null;
        var kind = c.TimeKind ?? Data.TimeKind.Zoned;
        return new Anomaly
        {
            Column = declared.Name,
            Kind = "stale",
            Expected = expected,
            Actual = $"the newest value is {Data.TimeValue.Format(newest, kind)}, {Describe(age)} old",
            Count = c.Times,
        };
    }

    private static string Describe(TimeSpan span) => span.TotalDays >= 2 ? string.Format(Inv, "{0:0.#} days", span.TotalDays)
        : span.TotalHours >= 2 ? string.Format(Inv, "{0:0.#} hours", span.TotalHours)
        : string.Format(Inv, "{0:0.#} minutes", span.TotalMinutes);

    private static string Range(ColumnSchema c) => c.Type.IsTime() ? TimeRange(c) : (c.Min, c.Max) switch
    {
        ({ } lo, { } hi) => string.Format(Inv, "values in [{0}, {1}]", lo, hi),
        ({ } lo, null) => string.Format(Inv, "values ≥ {0}", lo),
        (null, { } hi) => string.Format(Inv, "values ≤ {0}", hi),
        _ => "any value",
    };

    private static string TimeRange(ColumnSchema c)
    {
        var kind = c.Type == ColumnType.Date ? Data.TimeKind.Date : Data.TimeKind.Naive;
        string T(double v) => Data.TimeValue.Format(v, kind);
        return (c.Min, c.Max) switch
        {
            ({ } lo, { } hi) => $"values from {T(lo)} to {T(hi)}",
            ({ } lo, null) => $"values from {T(lo)}",
            (null, { } hi) => $"values up to {T(hi)}",
            _ => "any value",
        };
    }
}
