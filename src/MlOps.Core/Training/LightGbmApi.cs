using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MlOps.Training;

/// <summary>
/// The few calls of LightGBM's C API (c_api.h) that training needs, on the lib_lightgbm that the
/// Microsoft.ML.LightGbm package ships (the same library ML.NET loads, so the support matrix is
/// unchanged). Every call returns 0 or fails with LGBM_GetLastError's text.
/// </summary>
internal static class LightGbmApi
{
    private const string Library = "lib_lightgbm";

    /// <summary>C_API_DTYPE_FLOAT32.</summary>
    public const int Float32 = 0;

    /// <summary>C_API_DTYPE_FLOAT64.</summary>
    public const int Float64 = 1;

    /// <summary>C_API_DTYPE_INT32.</summary>
    public const int Int32 = 2;

    /// <summary>C_API_PREDICT_NORMAL: transformed output (a probability for binary).</summary>
    public const int PredictNormal = 0;

    /// <summary>Throws the library's own message when <paramref name="code"/> is not 0.</summary>
    public static void Check(int code)
    {
        if (code != 0) throw new InvalidOperationException("LightGBM: " + (Marshal.PtrToStringUTF8(LGBM_GetLastError()) ?? "unknown error"));
    }

    [DllImport(Library)]
    private static extern IntPtr LGBM_GetLastError();

    [DllImport(Library)]
    public static extern int LGBM_DatasetCreateFromMat(float[] values, int valueType, int rows, int columns, int isRowMajor, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, IntPtr noReference, out DatasetHandle dataset);

    /// <summary>A dataset binned like <paramref name="reference"/> (validation data, or a refit's rows).</summary>
    [DllImport(Library, EntryPoint = "LGBM_DatasetCreateFromMat")]
    public static extern int LGBM_DatasetCreateFromMatLike(float[] values, int valueType, int rows, int columns, int isRowMajor, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, DatasetHandle reference, out DatasetHandle dataset);

    [DllImport(Library)]
    public static extern int LGBM_DatasetCreateFromCSR(int[] rowStarts, int rowStartType, int[] indices, float[] values, int valueType, long rowStartCount, long valueCount, long columns, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, IntPtr noReference, out DatasetHandle dataset);

    /// <summary>A dataset binned like <paramref name="reference"/> (validation data, or a refit's rows).</summary>
    [DllImport(Library, EntryPoint = "LGBM_DatasetCreateFromCSR")]
    public static extern int LGBM_DatasetCreateFromCSRLike(int[] rowStarts, int rowStartType, int[] indices, float[] values, int valueType, long rowStartCount, long valueCount, long columns, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, DatasetHandle reference, out DatasetHandle dataset);

    /// <summary>How many rows LightGBM samples from <paramref name="rows"/> to find bins (bin_construct_sample_cnt).</summary>
    [DllImport(Library)]
    public static extern int LGBM_GetSampleCount(int rows, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, out int count);

    /// <summary>The rows LightGBM samples to find bins, ascending, as its CreateFromMat draws them (data_random_seed).</summary>
    [DllImport(Library)]
    public static extern int LGBM_SampleIndices(int rows, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, [Out] int[] indices, out int length);

    /// <summary>A dataset of <paramref name="rows"/> rows whose bins come from the sampled values, column by column; its rows follow by <see cref="LGBM_DatasetPushRows"/>.</summary>
    [DllImport(Library)]
    public static extern int LGBM_DatasetCreateFromSampledColumn(IntPtr[] sampleValues, IntPtr[] sampleIndices, int columns, int[] perColumn, int sampledRows, int rows, long binnedFromRows, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, out DatasetHandle dataset);

    /// <summary>Bins rows of a dense row-major matrix into the dataset from <paramref name="startRow"/>; the last row finishes it.</summary>
    [DllImport(Library)]
    public static extern int LGBM_DatasetPushRows(DatasetHandle dataset, float[] values, int valueType, int rows, int columns, int startRow);

    /// <summary>The rows at <paramref name="positions"/> (ascending) of a dataset, their bins and labels copied, not found again.</summary>
    [DllImport(Library)]
    public static extern int LGBM_DatasetGetSubset(DatasetHandle dataset, int[] positions, int count, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, out DatasetHandle subset);

    [DllImport(Library)]
    public static extern int LGBM_DatasetSetField(DatasetHandle dataset, [MarshalAs(UnmanagedType.LPUTF8Str)] string field, float[] data, int count, int dataType);

    /// <summary>A float64 field (init_score); null with a count of 0 clears it.</summary>
    [DllImport(Library, EntryPoint = "LGBM_DatasetSetField")]
    public static extern int LGBM_DatasetSetFieldDouble(DatasetHandle dataset, [MarshalAs(UnmanagedType.LPUTF8Str)] string field, double[]? data, int count, int dataType);

    /// <summary>A field's values inside the dataset (label: float32), valid while the dataset lives.</summary>
    [DllImport(Library)]
    public static extern int LGBM_DatasetGetField(DatasetHandle dataset, [MarshalAs(UnmanagedType.LPUTF8Str)] string field, out int length, out IntPtr values, out int dataType);

    [DllImport(Library)]
    private static extern int LGBM_DatasetFree(IntPtr dataset);

    [DllImport(Library)]
    public static extern int LGBM_BoosterCreate(DatasetHandle train, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, out BoosterHandle booster);

    [DllImport(Library)]
    public static extern int LGBM_BoosterAddValidData(BoosterHandle booster, DatasetHandle valid);

    [DllImport(Library)]
    public static extern int LGBM_BoosterUpdateOneIter(BoosterHandle booster, out int finished);

    /// <summary>One boosting round on the given gradients and hessians (a booster made with objective=none).</summary>
    [DllImport(Library)]
    public static extern int LGBM_BoosterUpdateOneIterCustom(BoosterHandle booster, float[] gradients, float[] hessians, out int finished);

    [DllImport(Library)]
    public static extern int LGBM_BoosterGetEval(BoosterHandle booster, int dataIndex, out int count, [Out] double[] results);

    [DllImport(Library)]
    public static extern int LGBM_BoosterSaveModelToString(BoosterHandle booster, int startIteration, int iterations, int importanceType, long bufferLength, out long length, [Out] byte[]? buffer);

    [DllImport(Library)]
    public static extern int LGBM_BoosterPredictForCSR(BoosterHandle booster, int[] rowStarts, int rowStartType, int[] indices, float[] values, int valueType, long rowStartCount, long valueCount, long columns, int predictType, int startIteration, int iterations, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, out long length, [Out] double[] results);

    [DllImport(Library)]
    public static extern int LGBM_BoosterPredictForMat(BoosterHandle booster, float[] values, int valueType, int rows, int columns, int isRowMajor, int predictType, int startIteration, int iterations, [MarshalAs(UnmanagedType.LPUTF8Str)] string parameters, out long length, [Out] double[] results);

    /// <summary>The booster's running predictions of its training (0) or i-th validation dataset, as the objective converts them.</summary>
    [DllImport(Library)]
    public static extern int LGBM_BoosterGetPredict(BoosterHandle booster, int dataIndex, out long length, [Out] double[] results);

    /// <summary>Removes the last boosting round, and its share of the running predictions.</summary>
    [DllImport(Library)]
    public static extern int LGBM_BoosterRollbackOneIter(BoosterHandle booster);

    [DllImport(Library)]
    public static extern int LGBM_BoosterLoadModelFromString([MarshalAs(UnmanagedType.LPUTF8Str)] string model, out int iterations, out BoosterHandle booster);

    [DllImport(Library)]
    private static extern int LGBM_BoosterFree(IntPtr booster);

    /// <summary>A LightGBM dataset, freed with the handle.</summary>
    public sealed class DatasetHandle() : SafeHandleZeroOrMinusOneIsInvalid(true)
    {
        protected override bool ReleaseHandle() => LGBM_DatasetFree(handle) == 0;
    }

    /// <summary>A LightGBM booster, freed with the handle.</summary>
    public sealed class BoosterHandle() : SafeHandleZeroOrMinusOneIsInvalid(true)
    {
        protected override bool ReleaseHandle() => LGBM_BoosterFree(handle) == 0;
    }
}
