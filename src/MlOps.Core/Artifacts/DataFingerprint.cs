using System.Security.Cryptography;

namespace MlOps.Artifacts;

/// <summary>SHA-256 digests of files and of a whole dataset, streamed (never loading a file whole).</summary>
public static class DataFingerprint
{
    /// <summary>One file's SHA-256, lower-case hex, and its size.</summary>
    public static async Task<(string Sha256, long Bytes)> FileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }

    /// <summary>
    /// The dataset's fingerprint: SHA-256 over the files' own digests in path order, so it names the
    /// exact bytes trained on, independent of where the checkout lives.
    /// </summary>
    public static async Task<(string Fingerprint, IReadOnlyList<(string Path, string Sha256, long Bytes)> Files)> DatasetAsync(IReadOnlyList<string> files, CancellationToken cancellationToken = default)
    {
        var list = new List<(string, string, long)>();
        using var combined = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            var (sha, bytes) = await FileAsync(file, cancellationToken);
            list.Add((file, sha, bytes));
            combined.AppendData(Convert.FromHexString(sha));
        }

        return (Convert.ToHexStringLower(combined.GetHashAndReset()), list);
    }
}
