using System.Text.RegularExpressions;

namespace MlOps.Data;

/// <summary>
/// A dataset as users name it: one file, a folder of files, or a glob (<c>data/*.csv</c>,
/// <c>data/**/part-*.parquet</c>). All files are one dataset, read in ordinal path order.
/// </summary>
public sealed record DatasetSource
{
    /// <summary>The path, folder or glob.</summary>
    public required string Path { get; init; }

    /// <summary>The format; null to decide by file extension.</summary>
    public DataFormat? Format { get; init; }

    /// <summary>Options for delimited text.</summary>
    public CsvOptions Csv { get; init; } = new();

    /// <summary>
    /// <c>data.non-finite: missing</c>: NaN, infinities and overflowing numbers are missing values
    /// in every stage; by default (<c>error</c>) a numeric column holding one is a data error naming
    /// the file, row and column, in validate, train, evaluate and predict alike.
    /// </summary>
    public bool NonFiniteAsMissing { get; init; }

    /// <summary>Columns skipped at read time (<c>data.exclude</c>), with everything nested under them; no stage sees them.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>The files of the dataset, sorted.</summary>
    /// <exception cref="DataException">Nothing matches, or a folder holds no data files.</exception>
    public IReadOnlyList<string> ResolveFiles()
    {
        if (File.Exists(Path))
        {
            return [Resolvable(Path)];
        }

        if (Directory.Exists(Path))
        {
            var files = Walk(Path)
                .Where(f => !System.IO.Path.GetFileName(f).StartsWith('.') && (Format is not null ? DataFormats.FromExtension(f) == Format : DataFormats.FromExtension(f) is not null))
                .Order(StringComparer.Ordinal)
                .ToList();
            return files.Count > 0
                ? files
                : throw Errors.Data(Path, "the folder holds no data files (.csv, .tsv, .jsonl, .ndjson, .parquet).");
        }

        if (Path.IndexOfAny(['*', '?']) >= 0)
        {
            var matches = Glob(Path);
            return matches.Count > 0 ? matches : throw Errors.Data(Path, "no file matches this pattern.");
        }

        throw Errors.Data(Path, "file or folder not found.");
    }

    // File.Exists is true for a link whose target is missing or loops back on itself; say so here
    // rather than fail later with "file not found" on a file that is listed.
    private static string Resolvable(string file)
    {
        if (new FileInfo(file).LinkTarget is null) return file;
        try
        {
            var target = File.ResolveLinkTarget(file, returnFinalTarget: true);
            return target is { Exists: true } ? file : throw Errors.Data(file, "is a symbolic link whose target does not exist or that loops back on itself.");
        }
        catch (IOException)
        {
            throw Errors.Data(file, "is a symbolic link that loops back on itself (too many levels of links).");
        }
    }

    /// <summary>The reader for one file of this dataset.</summary>
    public IDatasetReader ReaderFor(string file)
    {
        var format = Format ?? DataFormats.FromExtension(file)
            ?? throw Errors.Data(file, "cannot tell the format from the extension; set data.format (csv, jsonl or parquet).");
        return format switch
        {
            DataFormat.Csv => new CsvReader(file.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) && Csv.Delimiter == ',' ? Csv with { Delimiter = '\t' } : Csv),
            DataFormat.JsonLines => new JsonLinesReader(Csv.MaxRecordBytes),
            _ => new ParquetDatasetReader(),
        };
    }

    /// <summary>Reads every file of the dataset (or of one file-shard) into the sink.</summary>
    public async Task ReadAsync(IRecordSink sink, IReadOnlyList<string> files, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Exclude.Count > 0) sink = new ExcludingSink(sink, Exclude);
        foreach (var file in files)
        {
            progress?.Report(file);
            await ReaderFor(file).ReadAsync(file, sink, cancellationToken);
        }
    }

    // Every file under a folder, each folder once: a link back up the tree (a loop) or a second
    // link to a folder already read is skipped, so no row is read twice and nothing spins.
    private static IEnumerable<string> Walk(string root)
    {
        var visited = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var pending = new Stack<(string Path, string Real)>();
        pending.Push((root, RealPath(new DirectoryInfo(root), System.IO.Path.GetFullPath(root))));
        while (pending.Count > 0)
        {
            var (dir, real) = pending.Pop();
            if (!visited.Add(real)) continue;
            foreach (var file in Directory.EnumerateFiles(dir)) yield return file;
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                pending.Push((sub, RealPath(new DirectoryInfo(sub), System.IO.Path.Combine(real, System.IO.Path.GetFileName(sub)))));
            }
        }
    }

    private static string RealPath(DirectoryInfo dir, string lexical)
    {
        if (dir.LinkTarget is null) return lexical;
        try
        {
            return dir.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? lexical;
        }
        catch (IOException)
        {
            return lexical; // a link that loops on itself: visited once, it holds nothing readable
        }
    }

    private static List<string> Glob(string pattern)
    {
        var normalized = pattern.Replace('\\', '/');
        var firstWild = normalized.IndexOfAny(['*', '?']);
        var slash = normalized.LastIndexOf('/', firstWild);
        var root = slash < 0 ? "." : normalized[..Math.Max(slash, 1)];
        if (!Directory.Exists(root)) return [];
        var regex = new Regex("^" + Regex.Escape(slash < 0 ? normalized : normalized[(slash + 1)..])
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
        return Walk(root)
            .Select(f => f.Replace('\\', '/'))
            .Where(f => regex.IsMatch(System.IO.Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Select(f => slash < 0 && f.StartsWith("./", StringComparison.Ordinal) ? f[2..] : f)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
