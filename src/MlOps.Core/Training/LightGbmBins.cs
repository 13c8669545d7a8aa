using Microsoft.ML;

namespace MlOps.Training;

/// <summary>
/// A LightGBM fit's binned dataset, with the featurizer and encoding its values came from and the
/// table rows it holds, kept so that a refit boosts on it as it is (when it holds exactly the
/// refit's rows) or bins its rows by the same boundaries instead of finding them again.
/// </summary>
internal sealed class LightGbmBins(LightGbmApi.DatasetHandle dataset, ITransformer? featurizer, FeatureEncoding encoding, int[] rows) : IDisposable
{
    /// <summary>The binned dataset (the reference LightGBM bins new rows like).</summary>
    public LightGbmApi.DatasetHandle Dataset { get; } = dataset;

    /// <summary>The fitted featurizer whose encoding the dataset holds (set once the fit that kept the dataset has fitted it, after boosting).</summary>
    public ITransformer? Featurizer { get; set; } = featurizer;

    /// <summary>The encoding of the rows it holds.</summary>
    public FeatureEncoding Encoding { get; } = encoding;

    /// <summary>The table rows it holds, ascending.</summary>
    public int[] Rows { get; } = rows;

    /// <summary>The refit on these rows, when it boosts alongside the fit that kept them (it may still be boosting).</summary>
    public LightGbmRefit? Refit { get; init; }

    /// <summary>Stops a refit still boosting on the dataset, then frees the dataset.</summary>
    public void Dispose()
    {
        Refit?.Dispose();
        Dataset.Dispose();
    }
}
