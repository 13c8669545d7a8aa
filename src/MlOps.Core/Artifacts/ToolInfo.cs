using System.Reflection;

namespace MlOps.Artifacts;

/// <summary>The tool's name and version as recorded in artifacts.</summary>
public static class ToolInfo
{
    /// <summary>The informational version of the running tool, without build metadata.</summary>
    public static string Version { get; } =
        (typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>"mlops x.y.z".</summary>
    public static string NameAndVersion => $"mlops {Version}";
}
