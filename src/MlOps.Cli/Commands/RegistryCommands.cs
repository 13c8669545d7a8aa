using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Registry;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops register | promote | rollback | pull | list | show | gc</c>: the model registry.</summary>
public static class RegistryCommands
{
    /// <summary>The default validation folder whose schema.json and stats.json are registered with the model.</summary>
    public const string DefaultValidation = StageFolders.Validation;

    internal static readonly Option<string?> RegistryPath = new("--registry") { Description = $"A local registry folder, overriding registry: in mlops.yaml (default: {RegistrySettings.DefaultPath}).", HelpName = "path" };
    internal static readonly Option<string?> Name = new("--name") { Description = "The model name (default: project in mlops.yaml)." };

    /// <summary>Adds every registry command to the root.</summary>
    public static void AddTo(RootCommand root, CliConsole console)
    {
        root.Subcommands.Add(RegisterCommand.Register(console));
        root.Subcommands.Add(AliasCommands.Promote(console));
        root.Subcommands.Add(AliasCommands.Rollback(console));
        root.Subcommands.Add(PullCommand.Pull(console));
        root.Subcommands.Add(ListCommands.List(console));
        root.Subcommands.Add(ListCommands.Show(console));
        root.Subcommands.Add(GcCommand.Gc(console));
    }

    /// <summary>The registry settings: a --registry folder, else mlops.yaml's.</summary>
    internal static RegistrySettings Settings(ParseResult parse, Configuration.MlOpsConfig config) =>
        parse.GetValue(RegistryPath) is { } p ? new RegistrySettings { Path = p } : config.Registry;

    /// <summary>Opens the registry from --registry or mlops.yaml.</summary>
    internal static (ModelRegistry Registry, string Model) Open(ParseResult parse, CliConsole console)
    {
        var config = CommonOptions.LoadConfig(parse);
        var settings = Settings(parse, config);
        var model = RegistryNames.Model(parse.GetValue(Name) ?? config.Project, parse.GetValue(Name) is null ? "project" : "--name");
        return (new ModelRegistry(settings.Open(console.Environment), Actor.From(console.Environment)), model);
    }
}
