using System.IO.Compression;

namespace MlOps.Artifacts;

/// <summary>
/// Rewrites a zip archive with a fixed timestamp on every entry. ML.NET stamps model.zip entries
/// with the save time; without that, identical models have identical bytes and the same SHA-256.
/// </summary>
public static class ReproducibleZip
{
    /// <summary>The timestamp every entry gets (the zip format's epoch is 1980).</summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Copies <paramref name="source"/> (a zip) to <paramref name="destination"/>, entry by entry, in order.</summary>
    public static void Normalize(Stream source, Stream destination)
    {
        using var input = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        using var output = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in input.Entries)
        {
            var copy = output.CreateEntry(entry.FullName, CompressionLevel.Optimal);
            copy.LastWriteTime = EntryTime;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }
}
