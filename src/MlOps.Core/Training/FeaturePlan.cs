using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlOps.Tabular;

namespace MlOps.Training;

/// <summary>How one input column becomes model features.</summary>
public enum FeatureRole
{
    /// <summary>A number; missing values are replaced by the training mean.</summary>
    Numeric,

    /// <summary>A category, one-hot encoded (missing is its own category; unseen values encode as all zeros).</summary>
    Categorical,

    /// <summary>A high-cardinality category, one-hot encoded into 2^16 hashed slots.</summary>
    HashedCategorical,

    /// <summary>Free text: normalized word and character n-grams.</summary>
    Text,
}

/// <summary>One feature: its column and role.</summary>
/// <param name="Column">The input column name, as in the data.</param>
/// <param name="Role">How it is featurized.</param>
/// <param name="Distinct">Distinct values seen in training (text columns), for the run record.</param>
public sealed record Feature(string Column, FeatureRole Role, int? Distinct = null);

/// <summary>
/// Decides each column's featurization from its kind in the data or schema, train.text and
/// train.max-categories, and builds the ML.NET estimator for it. Every transform lands in the
/// saved model, so serving applies exactly what training applied.
/// </summary>
public sealed class FeaturePlan
{
    /// <summary>Names ML.NET reserves for its own columns.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal) { "Features", "Label", "Score", "Probability", "PredictedLabel" };

    private FeaturePlan(IReadOnlyList<Feature> features, IReadOnlyList<string> excluded)
    {
        Features = features;
        Excluded = excluded;
    }

    /// <summary>The features, in data order.</summary>
    public IReadOnlyList<Feature> Features { get; }

    /// <summary>Columns left out and why ("penguin_id: split key").</summary>
    public IReadOnlyList<string> Excluded { get; }

    /// <summary>Plans the features of <paramref name="table"/>.</summary>
    public static FeaturePlan Create(Table table, string label, string? splitKey, TrainSettings settings, int[] trainRows)
    {
        foreach (var name in settings.Exclude.Concat(settings.Text))
        {
            if (table.Find(name) is null)
            {
                throw Errors.Config("train", $"the column '{name}' is not in the data; columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
            }
        }

        var features = new List<Feature>();
        var excluded = new List<string>();
        foreach (var column in table.Columns)
        {
            if (column.Name == label) continue;
            if (column.Name == splitKey)
            {
                excluded.Add($"{column.Name}: the split key (an identifier)");
                continue;
            }

            if (settings.Exclude.Contains(column.Name))
            {
                excluded.Add($"{column.Name}: train.exclude");
                continue;
            }

            if (Reserved.Contains(column.Name))
            {
                throw Errors.Config("train.exclude", $"the column '{column.Name}' has a name ML.NET reserves; exclude it or rename it in the data.");
            }

            if (trainRows.All(column.IsMissing))
            {
                excluded.Add($"{column.Name}: every training value is missing");
                continue;
            }

            if (column.Kind == ColumnKind.Numeric)
            {
                features.Add(new Feature(column.Name, FeatureRole.Numeric));
                continue;
            }

            var distinct = DistinctTexts.Of(column.Texts!, trainRows);
            var role = settings.Text.Contains(column.Name) ? FeatureRole.Text
                : distinct.Count > settings.MaxCategories ? FeatureRole.HashedCategorical
                : FeatureRole.Categorical;
            features.Add(new Feature(column.Name, role, distinct.Count));
        }

        if (features.Count == 0)
        {
            throw Errors.Config("train", "no feature columns are left after the label, split key and train.exclude.");
        }

        return new FeaturePlan(features, excluded);
    }

    /// <summary>
    /// The featurizing estimator: missing numbers replaced by their mean, categories one-hot (or
    /// hashed) encoded, free text featurized, then one "Features" vector in column order
    /// (normalized for linear models). Each kind is one transform over all its columns: a
    /// transform per column would chain thousands of schemas on a wide table, and ML.NET's cost
    /// grows with the square of that chain.
    /// </summary>
    public IEstimator<ITransformer> BuildEstimator(MLContext ml, bool normalize)
    {
        IEstimator<ITransformer>? chain = null;
        void Append(IEstimator<ITransformer> e) => chain = chain is null ? e : chain.Append(e);
        InputOutputColumnPair[] Pairs(FeatureRole role) => [.. Features.Where(f => f.Role == role).Select(f => new InputOutputColumnPair("f." + f.Column, f.Column))];
        if (Pairs(FeatureRole.Numeric) is { Length: > 0 } numeric) Append(ml.Transforms.ReplaceMissingValues(numeric, MissingValueReplacingEstimator.ReplacementMode.Mean));
        if (Pairs(FeatureRole.Categorical) is { Length: > 0 } categorical) Append(ml.Transforms.Categorical.OneHotEncoding(categorical));
        if (Pairs(FeatureRole.HashedCategorical) is { Length: > 0 } hashed) Append(ml.Transforms.Categorical.OneHotHashEncoding(hashed, numberOfBits: 16));
        foreach (var f in Features.Where(f => f.Role == FeatureRole.Text)) Append(ml.Transforms.Text.FeaturizeText("f." + f.Column, f.Column));
        Append(ml.Transforms.Concatenate("Features", [.. Features.Select(f => "f." + f.Column)]));
        if (normalize) Append(ml.Transforms.NormalizeMinMax("Features"));
        return chain!;
    }
}
