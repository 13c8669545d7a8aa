using System.CommandLine;
using System.Text.Json;
using MlOps.Cli.Commands;
using MlOps.Platforms;

namespace MlOps.Cli.Actions;

/// <summary>
/// <c>mlops action run STAGE</c>: the entrypoint of every GitHub action (composite or container)
/// and Azure Pipelines task. It reads the inputs the way runners pass them (<c>INPUT_NAME</c>),
/// runs the stage, and writes outputs and the job summary through the CI platform.
/// <c>mlops action write</c> writes the action.yml files and the Azure DevOps extension from
/// the same <see cref="ActionCatalog"/>.
/// </summary>
public static class ActionCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var cmd = new Command("action", "Run a stage as a GitHub action or Azure Pipelines task (inputs from INPUT_* variables), or write the action and task definitions.");
        cmd.Subcommands.Add(CreateRun(console));
        cmd.Subcommands.Add(CreateWrite(console));
        return cmd;
    }

    private static Command CreateRun(CliConsole console)
    {
        var stage = new Argument<string>("stage") { Description = "The stage: " + string.Join(", ", ActionCatalog.All.Select(a => a.Name)) + "." };
        stage.AcceptOnlyFromAmong([.. ActionCatalog.All.Select(a => a.Name)]);
        var cmd = new Command("run", "Run a stage with the inputs the runner passes as INPUT_NAME variables (INPUT_PULL-REQUEST, INPUT_PULL_REQUEST or INPUT_PULLREQUEST), then set its outputs and job summary.") { stage };
        cmd.SetAction((parse, ct) => RunAsync(ActionCatalog.Find(parse.GetValue(stage)!)!, console, ct, parse.GetValue(CommonOptions.Config)));
        return cmd;
    }

    private static Command CreateWrite(CliConsole console)
    {
        var github = new Option<string?>("--github") { Description = "Write one folder per action with its action.yml here (e.g. actions).", HelpName = "folder" };
        var azure = new Option<string?>("--azure") { Description = "Write the Azure DevOps extension here: vss-extension.json and one task per stage (e.g. actions/azure-devops).", HelpName = "folder" };
        var image = new Option<string?>("--image") { Description = "Make the GitHub actions container actions that run this published image (e.g. ghcr.io/mlops-ci/mlops-ci-action:v1.0.0) instead of composite actions that run mlops from the checkout; for releases and for mirrors of the image on your own registry.", HelpName = "image" };
        var releaseUrl = new Option<string?>("--release") { Description = "For a release: the URL the prebuilt archives are downloaded from (https://github.com/OWNER/REPO/releases/download/vX.Y.Z). The actions (actions/release.env) and the Azure tasks then run that release's mlops for the runner's OS and architecture, checked against --checksums; no build, no .NET SDK.", HelpName = "url" };
        var checksums = new Option<string>("--checksums") { Description = "The SHA256SUMS of the archives that ./build.sh publish wrote (with --release).", HelpName = "file", DefaultValueFactory = _ => Path.Combine("artifacts", "release", "SHA256SUMS") };
        var cmd = new Command("write", "Write the GitHub action.yml files and the Azure DevOps extension (task.json per stage) from the stage definitions built into mlops.") { github, azure, image, releaseUrl, checksums };
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(github) is null && parse.GetValue(azure) is null) throw Errors.Config("mlops action write", "give --github FOLDER, --azure FOLDER or both.");
            if (parse.GetValue(image) is not null && parse.GetValue(releaseUrl) is not null) throw Errors.Config("mlops action write", "give --image (container actions) or --release (prebuilt binaries), not both.");
            var version = MlOps.Artifacts.ToolInfo.Version;
            var release = parse.GetValue(releaseUrl) is { } url ? ReleaseBinaries.Read(parse.GetValue(checksums)!, url) : null;
            if (parse.GetValue(github) is { } g)
            {
                foreach (var a in ActionCatalog.All) await ActionFiles.WriteAsync(Path.Combine(g, a.Name, "action.yml"), ActionFiles.GitHubAction(a, parse.GetValue(image)), ct);
                // The composite actions are the same on main and on a release: release.env is what makes mlops.sh run the release's binary.
                var env = Path.Combine(g, "release.env");
                if (release is not null) await ActionFiles.WriteAsync(env, release.ActionsEnvironment(), ct);
                else if (File.Exists(env)) File.Delete(env);
                console.Out.WriteLine($"Wrote {ActionCatalog.All.Count} actions under {g}{(release is null ? string.Empty : $", running the prebuilt mlops {release.Version} ({string.Join(", ", release.Sha256.Keys)})")}.");
            }

            if (parse.GetValue(azure) is { } z)
            {
                // The tasks pin the tool to the extension's version.
                if (release is not null && release.Version != version) throw Errors.Config("--checksums", $"the archives are mlops {release.Version}, but this mlops (the extension's version) is {version}; run both from one VERSION.");
                await ActionFiles.WriteAsync(Path.Combine(z, "vss-extension.json"), ActionFiles.ExtensionManifest(version), ct);
                foreach (var a in ActionCatalog.All)
                {
                    var folder = Path.Combine(z, "tasks", a.AzureTaskName);
                    await ActionFiles.WriteAsync(Path.Combine(folder, "task.json"), ActionFiles.TaskJson(a, version), ct);
                    await ActionFiles.WriteAsync(Path.Combine(folder, "index.js"), ActionFiles.TaskLauncher(a, version, release), ct);
                }

                console.Out.WriteLine($"Wrote the Azure DevOps extension {version} with {ActionCatalog.All.Count} tasks under {z}.");
            }

            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>Runs one stage as an action: inputs in, outputs and summary out.</summary>
    /// <param name="action">The stage.</param>
    /// <param name="console">Where the stage writes; its environment holds the inputs.</param>
    /// <param name="ct">Cancels the stage.</param>
    /// <param name="config">--config on the command line: the config input when the runner passes none.</param>
    internal static async Task<int> RunAsync(ActionDefinition action, CliConsole console, CancellationToken ct, string? config = null)
    {
        var env = console.Environment;
        var platform = CiPlatforms.Detect(env, console.Commands);
        var host = platform.Kind == CiKind.AzurePipelines ? ActionHosts.Azure : ActionHosts.GitHub;
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var args = new List<string>(action.Command);
        var overlay = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in action.InputsFor(host))
        {
            var value = ActionInputs.Read(env, input) ?? (input.Target == "--config" ? config : null) ?? input.Default;
            inputs[input.Name] = value;
            if (input.Secret && value.Length > 0) platform.Mask(value);
            switch (input.Use)
            {
                case InputUse.Value when value.Length > 0:
                    args.AddRange([input.Target, value]);
                    break;
                case InputUse.Switch when ActionInputs.ParseSwitch(input, value):
                    args.Add(input.Target);
                    break;
                case InputUse.FolderIfPresent:
                    // A stage that did not run in this job is skipped, never read from an older run.
                    args.AddRange([input.Target, Directory.Exists(value) ? value : "none"]);
                    break;
                case InputUse.Environment when value.Length > 0:
                    overlay[input.Target] = value;
                    break;
            }
        }

        console.Error.WriteLine($"mlops {string.Join(' ', args.Select(ActionInputs.Quote))}");
        console.Error.Flush();
        string? Environment(string name) => overlay.TryGetValue(name, out var v) ? v : env(name);

        // The stage's --json result is read for outputs, then echoed so the log still shows it.
        var json = action.Command.Contains("--json");
        var captured = new StringWriter();
        var started = DateTime.UtcNow.AddSeconds(-1); // file times can be coarser than the clock
        var code = await MlOpsCli.RunAsync([.. args], json ? captured : console.Out, console.Error, console.Commands, Environment, ct);
        JsonElement? result = null;
        if (json && captured.ToString() is { Length: > 0 } text)
        {
            await console.Out.WriteAsync(text);
            try
            {
                using var document = JsonDocument.Parse(text);
                result = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not a result (an error path printed text): outputs that need it stay unset.
            }
        }

        if (action.ReadOutputs is { } read)
        {
            var offered = action.OutputsFor(host).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, value) in read(new ActionResult(code, result, inputs)))
            {
                if (value is not null && offered.Contains(name)) platform.SetOutput(name, value);
            }
        }

        // Only a report this run wrote: a stage that failed early must not show an older run's.
        if (action.SummaryFolder is { } folder && Path.Combine(inputs[folder], "report.md") is var report && File.Exists(report) && File.GetLastWriteTimeUtc(report) >= started)
        {
            await platform.AddSummaryAsync(await File.ReadAllTextAsync(report, ct), report, ct);
        }

        return code;
    }
}
