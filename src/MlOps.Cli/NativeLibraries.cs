using System.Runtime.InteropServices;

namespace MlOps.Cli;

/// <summary>
/// A native library a feature needs that this platform's build lacks (LightGBM and FastTree have
/// no osx-arm64 build, ONNX Runtime none for some targets): the user's platform choice, said in
/// one line with what works instead, never an internal error.
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

    /// <summary>The one line: which library, on which platform, and what works there.</summary>
    public static string Explain(DllNotFoundException e)
    {
        var message = e.Message.Split('\n')[0];
        var library = System.Text.RegularExpressions.Regex.Match(message, "'([^']+)'") is { Success: true } m ? m.Groups[1].Value : message;
        var platform = RuntimeInformation.RuntimeIdentifier;
        var hint = message.Contains("lightgbm", StringComparison.OrdinalIgnoreCase) || message.Contains("FastTree", StringComparison.OrdinalIgnoreCase)
            ? platform == "osx-arm64"
                ? "LightGBM and FastTree have no Apple-silicon build: use trainer: sdca or lbfgs, an osx-x64 build under Rosetta, or a Linux runner"
                : "the lightgbm and fasttree trainers need it: reinstall mlops for this platform, or use trainer: sdca or lbfgs"
            : message.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase)
                ? "ONNX models need ONNX Runtime: use a linux-x64, linux-arm64, win-x64 or osx-arm64 build, or an ML.NET model (model.zip)"
                : "install the library or use a build for a supported platform (see the support matrix in README)";
        return $"the native library {library} is missing on {platform}; {hint}.";
    }
}
