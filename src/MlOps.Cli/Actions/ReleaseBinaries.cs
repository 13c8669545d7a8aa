using System.Text;
using System.Text.RegularExpressions;

namespace MlOps.Cli.Actions;

/// <summary>
/// A release's prebuilt mlops archives (<c>mlops-VERSION-RUNTIME.tar.gz</c>, from the build's
/// Publish target) and where they are downloaded from. Released actions and Azure tasks carry
/// the SHA-256 of each one, so what runs is exactly what the release built, wherever it comes from.
/// </summary>
/// <param name="Version">The version in the archive names.</param>
/// <param name="Url">The folder the archives are downloaded from (a GitHub release's download URL, or a mirror).</param>
/// <param name="Sha256">The archive's SHA-256 (lowercase hex) by runtime identifier.</param>
public sealed partial record ReleaseBinaries(string Version, string Url, IReadOnlyDictionary<string, string> Sha256)
{
    /// <summary>The archive's file name for a runtime.</summary>
    public string Archive(string runtime) => $"mlops-{Version}-{runtime}.tar.gz";

    /// <summary>
    /// Reads a SHA256SUMS file (<c>HASH  mlops-VERSION-RUNTIME.tar.gz</c> per line, as sha256sum
    /// writes it); every line must name one version and a runtime of the support matrix.
    /// </summary>
    public static ReleaseBinaries Read(string checksums, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")) throw Errors.Config("--release", $"expected the http(s) URL the archives are downloaded from, got '{url}'.");
        if (!File.Exists(checksums)) throw Errors.Config("--checksums", $"{checksums} does not exist (./build.sh publish writes artifacts/release/SHA256SUMS).");
        var known = SupportMatrix.Runtimes.Select(r => r.Runtime).ToHashSet(StringComparer.Ordinal);
        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string? version = null;
        var number = 0;
        foreach (var line in File.ReadLines(checksums))
        {
            number++;
            if (line.Length == 0) continue;
            var m = Line().Match(line);
            if (!m.Success) throw Errors.Config(checksums, $"line {number}: expected 'SHA256  mlops-VERSION-RUNTIME.tar.gz', got '{line}'.");
            var runtime = m.Groups["runtime"].Value;
            if (!known.Contains(runtime)) throw Errors.Config(checksums, $"line {number}: '{runtime}' is not a runtime of the support matrix ({string.Join(", ", known)}).");
            if (version is not null && version != m.Groups["version"].Value) throw Errors.Config(checksums, $"line {number}: version {m.Groups["version"].Value}, but line 1 is {version}.");
            version = m.Groups["version"].Value;
            if (!sums.TryAdd(runtime, m.Groups["hash"].Value.ToLowerInvariant())) throw Errors.Config(checksums, $"line {number}: {runtime} a second time.");
        }

        if (version is null) throw Errors.Config(checksums, "names no archive.");
        return new ReleaseBinaries(version, url.TrimEnd('/'), sums);
    }

    /// <summary>actions/release.env: what actions/mlops.sh downloads and checks on a released tag.</summary>
    public string ActionsEnvironment()
    {
        var text = new StringBuilder();
        text.Append("# Written by `mlops action write --release`: the prebuilt mlops these actions run (see mlops.sh).\n");
        text.Append($"version={Version}\n");
        text.Append($"url={Url}\n");
        foreach (var (runtime, hash) in Sha256) text.Append($"sha256.{runtime}={hash}\n");
        return text.ToString();
    }

    [GeneratedRegex(@"^(?<hash>[0-9a-fA-F]{64}) [ *]mlops-(?<version>[0-9A-Za-z.+\-]+?)-(?<runtime>(linux|win|osx)-(x64|arm64))\.tar\.gz$")]
    private static partial Regex Line();
}
