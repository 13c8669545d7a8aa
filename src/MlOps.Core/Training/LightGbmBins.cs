namespace MlOps.Training;

/// <summary>
/// A LightGBM fit's binned train dataset and the encoding its values came from, kept so that a
/// refit on more rows bins its values by the same boundaries instead of finding them again.
/// </summary>
internal sealed class LightGbmBins(LightGbmApi.DatasetHandle dataset, FeatureEncoding encoding) : IDisposable
{
    /// <summary>The binned dataset (the reference LightGBM bins new rows like).</summary>
    public LightGbmApi.DatasetHandle Dataset { get; } = dataset;

    /// <summary>The encoding of the rows it holds.</summary>
    public FeatureEncoding Encoding { get; } = encoding;

    /// <inheritdoc/>
    public void Dispose() => Dataset.Dispose();
}
