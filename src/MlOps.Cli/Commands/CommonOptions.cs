using System.CommandLine;
using MlOps.Configuration;

namespace MlOps.Cli.Commands;

/// <summary>Options shared by several commands, and the one place where flags override mlops.yaml.</summary>
public static class CommonOptions
{
    /// <summary>--config: the project file.</summary>
    public static readonly Option<string?> Config = new("--config", "-c")
    {
        Description = "The project file (default: ./mlops.yaml when present).",
        Recursive = true,
        HelpName = "mlops.yaml",
    };

    /// <summary>--output.</summary>
    public static Option<string?> Output(string what) => new("--output", "-o") { Description = what, HelpName = "path" };

    /// <summary>--json.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON on standard output." };

    /// <summary>Loads mlops.yaml (or the defaults).</summary>
    public static MlOpsConfig LoadConfig(ParseResult parse) => MlOpsConfig.Load(parse.GetValue(Config));
}
