using MlOps.Tabular;

namespace MlOps.Benchmarks;

/// <summary>What the bare ONNX Runtime loops the benches compare against share: the feature columns as one row-major matrix.</summary>
internal static class BareOnnx
{
    /// <summary>The first <paramref name="n"/> rows of <paramref name="features"/> as an [n, features] FP32 matrix, prepared before any timing.</summary>
    public static float[] RowMajor(Table table, IReadOnlyList<string> features, int n)
    {
        var columns = features.Select(f => table.Find(f)!.Numbers!).ToArray();
        var matrix = new float[n * columns.Length];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < columns.Length; c++) matrix[(i * columns.Length) + c] = columns[c][i];
        }

        return matrix;
    }
}
