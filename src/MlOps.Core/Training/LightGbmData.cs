using System.Runtime.InteropServices;

namespace MlOps.Training;

/// <summary>
/// The binned datasets one LightGBM fit boosts on: its train rows, its validation rows when it has
/// any, and the dataset a refit on train + validation may boost on as it is. Disposing frees what
/// this fit made and did not hand on with <see cref="Keep"/>.
/// </summary>
internal sealed class LightGbmData : IDisposable
{
    // LightGBM's kZeroThreshold: values at or below it in magnitude are zeros a sample leaves out.
    private const double ZeroThreshold = 1e-35f;

    private readonly LightGbmApi.DatasetHandle? _whole; // train + validation, when Train and Valid are its subsets
    private readonly bool _trainBorrowed;
    private bool _kept;

    private LightGbmData(LightGbmApi.DatasetHandle train, LightGbmApi.DatasetHandle? valid, LightGbmApi.DatasetHandle? whole, int[] wholeRows, bool trainBorrowed)
    {
        Train = train;
        Valid = valid;
        _whole = whole;
        WholeRows = wholeRows;
        _trainBorrowed = trainBorrowed;
    }

    /// <summary>The train rows' dataset.</summary>
    public LightGbmApi.DatasetHandle Train { get; }

    /// <summary>The validation rows' dataset, binned as <see cref="Train"/>; null without validation rows or when not asked for (only early stopping boosts with it).</summary>
    public LightGbmApi.DatasetHandle? Valid { get; }

    /// <summary>The table rows (ascending) of the dataset <see cref="Keep"/> hands on.</summary>
    public int[] WholeRows { get; }

    /// <summary>
    /// Train and validation rows binned once, as one dataset of both: LightGBM finds the bins from
    /// the sample of train rows it would draw itself (so the fit is the fit that binning the train
    /// rows alone gives), every row is binned by them, and the train and validation datasets are
    /// its subsets. A refit on train + validation then boosts on that dataset as it is.
    /// </summary>
    /// <remarks>
    /// Dense encodings (categorical splits) only. Null, and nothing made, unless there are
    /// validation rows and both row lists are ascending with no row in both.
    /// </remarks>
    public static LightGbmData? TryShared(FeatureEncoding encoding, int[] trainRows, int[] validRows, Func<int[], float[]> labels, string parameters, bool validDataset)
    {
        if (validRows.Length == 0 || Merge(trainRows, validRows) is not var (rows, trainAt, validAt)) return null;
        var values = encoding.Dense(rows);
        var columns = encoding.Columns;

        LightGbmApi.Check(LightGbmApi.LGBM_GetSampleCount(trainRows.Length, parameters, out var sampleCount));
        var sample = new int[sampleCount];
        LightGbmApi.Check(LightGbmApi.LGBM_SampleIndices(trainRows.Length, parameters, sample, out var sampled));

        // The sample column by column, zeros left out, as LightGBM's CreateFromMat gathers it.
        var counts = new int[columns];
        for (var i = 0; i < sampled; i++)
        {
            var at = trainAt[sample[i]] * columns;
            for (var k = 0; k < columns; k++)
            {
                if (Kept(values[at + k])) counts[k]++;
            }
        }

        var starts = new int[columns + 1];
        for (var k = 0; k < columns; k++) starts[k + 1] = checked(starts[k] + counts[k]);
        var sampleValues = new double[starts[columns]];
        var sampleIndices = new int[starts[columns]];
        var filled = starts[..columns];
        for (var i = 0; i < sampled; i++)
        {
            var at = trainAt[sample[i]] * columns;
            for (var k = 0; k < columns; k++)
            {
                var v = values[at + k];
                if (!Kept(v)) continue;
                sampleValues[filled[k]] = v;
                sampleIndices[filled[k]++] = i;
            }
        }

        var whole = FromSample(sampleValues, sampleIndices, starts, counts, sampled, rows.Length, trainRows.Length, parameters);
        try
        {
            LightGbmApi.Check(LightGbmApi.LGBM_DatasetPushRows(whole, values, LightGbmApi.Float32, rows.Length, columns, 0));
            var wholeLabels = labels(rows);
            LightGbmApi.Check(LightGbmApi.LGBM_DatasetSetField(whole, "label", wholeLabels, wholeLabels.Length, LightGbmApi.Float32));
            var train = Subset(whole, trainAt, parameters);
            try
            {
                return new LightGbmData(train, validDataset ? Subset(whole, validAt, parameters) : null, whole, rows, trainBorrowed: false);
            }
            catch
            {
                train.Dispose();
                throw;
            }
        }
        catch
        {
            whole.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Train rows binned on their own (or like <paramref name="reference"/>), and validation rows
    /// binned like them; <see cref="Keep"/> hands on the train dataset.
    /// </summary>
    public static LightGbmData Separate(FeatureEncoding encoding, int[] trainRows, int[] validRows, Func<int[], float[]> labels, string parameters, LightGbmApi.DatasetHandle? reference, bool validDataset)
    {
        var train = Binned(encoding, trainRows, labels(trainRows), parameters, reference);
        try
        {
            var valid = validDataset && validRows.Length > 0 ? Binned(encoding, validRows, labels(validRows), parameters, train) : null;
            return new LightGbmData(train, valid, null, trainRows, trainBorrowed: false);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>An earlier fit's kept dataset, boosted on as it is (a refit on exactly its rows); not freed here.</summary>
    public static LightGbmData Reuse(LightGbmBins bins) => new(bins.Dataset, null, null, bins.Rows, trainBorrowed: true);

    /// <summary>
    /// Hands on the dataset of <see cref="WholeRows"/> (train + validation when shared, else train)
    /// for a refit; the caller frees it. Null when this fit reused an earlier fit's dataset.
    /// </summary>
    public LightGbmApi.DatasetHandle? Keep()
    {
        if (_trainBorrowed) return null;
        _kept = true;
        return _whole ?? Train;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Valid?.Dispose();
        if (_whole is not null)
        {
            Train.Dispose();
            if (!_kept) _whole.Dispose();
        }
        else if (!_trainBorrowed && !_kept)
        {
            Train.Dispose();
        }
    }

    private static bool Kept(float v) => Math.Abs((double)v) > ZeroThreshold || float.IsNaN(v);

    // Both lists merged in order, with where each row of each list sits in the merge; null unless
    // both are ascending and share no row.
    /// <summary>Two row lists as one ascending list, with where each row of either went; null unless both are ascending with no row in both.</summary>
    internal static (int[] Rows, int[] TrainAt, int[] ValidAt)? Merge(int[] train, int[] valid)
    {
        var rows = new int[train.Length + valid.Length];
        var (trainAt, validAt) = (new int[train.Length], new int[valid.Length]);
        var (i, j) = (0, 0);
        for (var k = 0; k < rows.Length; k++)
        {
            if (j == valid.Length || (i < train.Length && train[i] < valid[j]))
            {
                (rows[k], trainAt[i]) = (train[i], k);
                i++;
            }
            else
            {
                (rows[k], validAt[j]) = (valid[j], k);
                j++;
            }

            if (k > 0 && rows[k] <= rows[k - 1]) return null;
        }

        return (rows, trainAt, validAt);
    }

    private static LightGbmApi.DatasetHandle Subset(LightGbmApi.DatasetHandle whole, int[] positions, string parameters)
    {
        LightGbmApi.Check(LightGbmApi.LGBM_DatasetGetSubset(whole, positions, positions.Length, parameters, out var subset));
        return subset;
    }

    private static LightGbmApi.DatasetHandle FromSample(double[] values, int[] indices, int[] starts, int[] counts, int sampled, int rows, int binnedFrom, string parameters)
    {
        var columns = counts.Length;
        var pinnedValues = GCHandle.Alloc(values, GCHandleType.Pinned);
        var pinnedIndices = GCHandle.Alloc(indices, GCHandleType.Pinned);
        try
        {
            var valuePointers = new IntPtr[columns];
            var indexPointers = new IntPtr[columns];
            for (var k = 0; k < columns; k++)
            {
                valuePointers[k] = pinnedValues.AddrOfPinnedObject() + (starts[k] * sizeof(double));
                indexPointers[k] = pinnedIndices.AddrOfPinnedObject() + (starts[k] * sizeof(int));
            }

            // num_dist_row is the train count: LightGBM's leaf-size filter on bins reads it, as when it bins the train rows alone.
            LightGbmApi.Check(LightGbmApi.LGBM_DatasetCreateFromSampledColumn(valuePointers, indexPointers, columns, counts, sampled, rows, binnedFrom, parameters, out var dataset));
            return dataset;
        }
        finally
        {
            pinnedValues.Free();
            pinnedIndices.Free();
        }
    }

    private static LightGbmApi.DatasetHandle Binned(FeatureEncoding encoding, int[] rows, float[] labels, string parameters, LightGbmApi.DatasetHandle? reference)
    {
        LightGbmApi.DatasetHandle dataset;
        int code;
        if (encoding.CategoricalSplits)
        {
            var values = encoding.Dense(rows);
            code = reference is null
                ? LightGbmApi.LGBM_DatasetCreateFromMat(values, LightGbmApi.Float32, rows.Length, encoding.Columns, 1, parameters, IntPtr.Zero, out dataset)
                : LightGbmApi.LGBM_DatasetCreateFromMatLike(values, LightGbmApi.Float32, rows.Length, encoding.Columns, 1, parameters, reference, out dataset);
        }
        else
        {
            var (starts, indices, values) = encoding.Sparse(rows);
            code = reference is null
                ? LightGbmApi.LGBM_DatasetCreateFromCSR(starts, LightGbmApi.Int32, indices, values, LightGbmApi.Float32, starts.Length, values.Length, encoding.Columns, parameters, IntPtr.Zero, out dataset)
                : LightGbmApi.LGBM_DatasetCreateFromCSRLike(starts, LightGbmApi.Int32, indices, values, LightGbmApi.Float32, starts.Length, values.Length, encoding.Columns, parameters, reference, out dataset);
        }

        LightGbmApi.Check(code);
        try
        {
            LightGbmApi.Check(LightGbmApi.LGBM_DatasetSetField(dataset, "label", labels, labels.Length, LightGbmApi.Float32));
            return dataset;
        }
        catch
        {
            dataset.Dispose();
            throw;
        }
    }
}
