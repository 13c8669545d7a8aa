using System.Runtime.InteropServices;

namespace MlOps.Cli;

/// <summary>
/// A native library a feature needs that this platform's build lacks (LightGBM and FastTree have
/// no arm64 builds, ONNX Runtime none for osx-x64; see <see cref="SupportMatrix"/>): the user's
/// platform choice, said in one line with what works instead, never an internal error.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>The missing-library exception inside <paramref name="e"/> (ML.NET wraps it), or null.</summary>
    public static DllNotFoundException? Missing(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DllNotFoundException missing) return missing;
        }

        return null;
    }

    /// <summary>The one line: which library, on which platform, and what works there (from <see cref="SupportMatrix"/>).</summary>
    public static string Explain(DllNotFoundException e) => Explain(e.Message, RuntimeInformation.RuntimeIdentifier);

    /// <summary>The one line for a loader message on <paramref name="platform"/> (a runtime identifier).</summary>
    public static string Explain(string loaderMessage, string platform)
    {
        var message = loaderMessage.Split('\n')[0];
        var library = System.Text.RegularExpressions.Regex.Match(message, "'([^']+)'") is { Success: true } m ? m.Groups[1].Value : message;
        var feature = SupportMatrix.ForLibrary(message);
        string hint;
        if (feature is null)
        {
            hint = "install the library or use a build for a supported platform (see the support matrix in README)";
        }
        else if (feature.Runtimes.Contains(platform))
        {
            // Promised here: the install lost it, or a library it loads is missing from the machine.
            var needs = feature.Notes.TryGetValue(platform, out var note) ? $" and {note}" : string.Empty;
            hint = $"{feature.Name} needs it{needs}: reinstall mlops for {platform}, or use {feature.Instead}";
        }
        else
        {
            var rosetta = platform == "osx-arm64" && feature.Runtimes.Contains("osx-x64") ? ", an osx-x64 build under Rosetta" : string.Empty;
            hint = $"{feature.Name} has no {platform} build: use {feature.Instead}{rosetta}, or a runner with {string.Join(", ", feature.Runtimes)} (see the support matrix in README)";
        }

        return $"the native library {library} is missing on {platform}; {hint}.";
    }
}
