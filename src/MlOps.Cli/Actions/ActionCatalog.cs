using MlOps.Artifacts;

namespace MlOps.Cli.Actions;

/// <summary>Every stage that ships as a GitHub action and an Azure Pipelines task.</summary>
public static class ActionCatalog
{
    private const string Advanced = "advanced";

    private static ActionInput Config(string why = "") =>
        new("config", "Path to mlops.yaml" + why + ".", "mlops.yaml", InputUse.Value, "--config");

    /// <summary>The stages in pipeline order.</summary>
    public static IReadOnlyList<ActionDefinition> All { get; } =
    [
        new()
        {
            Name = "validate-data",
            Title = "Validate data",
            Description = "Validate data against its schema and a baseline: statistics, anomalies with file and row, drift by column. Writes the artifacts and report.md; fails when a gate fails.",
            Command = ["validate"],
            Inputs =
            [
                Config(),
                new("data", "Data to validate (file, folder or glob); default: data.path in mlops.yaml.", "", InputUse.Value, "--data"),
                new("baseline", "Baseline dataset or stats.json for drift; default: validate.baseline.", "", InputUse.Value, "--baseline"),
                new("output", "Folder for the artifacts.", StageFolders.Validation, InputUse.Value, "--output") { Group = Advanced },
            ],
            Outputs =
            [
                new("passed", "true when no gate failed."),
                new("report", "Path to report.md."),
            ],
            ReadOutputs = r => [new("passed", r.Succeeded), new("report", r.Under("output", "report.md"))],
            SummaryFolder = "output",
            AzureTaskId = new("0f6d5a3e-8b1c-4d7e-9a2f-1c3b5d7e9f01"),
        },
        new()
        {
            Name = "train",
            Title = "Train",
            Description = "Train a model: a built-in ML.NET trainer with its preprocessing saved in the model, or your own command. Writes the model, run.json and report.md.",
            Command = ["train", "--json"],
            Inputs =
            [
                Config(),
                new("trainer", "A built-in trainer (lightgbm, fasttree, sdca, lbfgs, poisson); default: train.trainer.", "", InputUse.Value, "--trainer"),
                new("command", "Train with this shell command instead (gets MLOPS_* variables); default: train.command.", "", InputUse.Value, "--command"),
                new("seed", "The random seed; default: train.seed.", "", InputUse.Value, "--seed") { Group = Advanced },
                new("output", "Folder for the model, run.json and report.md.", StageFolders.Train, InputUse.Value, "--output") { Group = Advanced },
            ],
            Outputs =
            [
                new("model", "Path to the model file."),
                new("run-id", "The run id recorded in run.json."),
            ],
            ReadOutputs = r => [new("model", r.FromJson("model")), new("run-id", r.FromJson("runId"))],
            SummaryFolder = "output",
            AzureTaskId = new("3a9c2e71-5d4b-4f08-b6e3-2d4f6a8c0e12"),
        },
        new()
        {
            Name = "evaluate",
            Title = "Evaluate",
            Description = "Evaluate the candidate against the baseline (the registry's production model) on the same rows: metrics with intervals, slices, feature importance, gates, and a verdict.",
            Command = ["evaluate", "--json"],
            Inputs =
            [
                Config(),
                new("model", "The candidate: a training folder or model file.", StageFolders.Train, InputUse.Value, "--model"),
                new("baseline", "A model file or folder, a registry alias, or none; default: evaluate.baseline.", "", InputUse.Value, "--baseline"),
                new("output", "Folder for evaluation.json and report.md.", StageFolders.Evaluation, InputUse.Value, "--output") { Group = Advanced },
            ],
            Outputs =
            [
                new("blessed", "true when the candidate may replace the baseline."),
                new("report", "Path to report.md."),
            ],
            ReadOutputs = r => [new("blessed", r.FromJson("blessed")), new("report", r.Under("output", "report.md"))],
            SummaryFolder = "output",
            AzureTaskId = new("5c1e4a93-7f6d-4a2b-8c05-4f6a8c0e2a23"),
        },
        new()
        {
            Name = "report",
            Title = "Report",
            Description = "One report from the stage outputs (verdict first): a sticky pull-request comment updated in place, the job summary, annotations and outputs.",
            Command = ["report"],
            Inputs =
            [
                new("validation", "The validate output folder (skipped when missing).", StageFolders.Validation, InputUse.FolderIfPresent, "--validation"),
                new("train", "The train output folder (skipped when missing).", StageFolders.Train, InputUse.FolderIfPresent, "--train"),
                new("evaluation", "The evaluate output folder (skipped when missing).", StageFolders.Evaluation, InputUse.FolderIfPresent, "--evaluation"),
                new("output", "The report file.", StageFolders.Report, InputUse.Value, "--output") { Group = Advanced },
                new("comment", "auto (comment when the run is for a pull request), always or never.", "auto", InputUse.Value, "--comment") { Choices = ["auto", "always", "never"] },
                new("key", "Names the sticky comment; use one key per model when one pull request has several reports.", "mlops", InputUse.Value, "--key") { VisibleWhen = "comment != never" },
                new("charts", "auto, mermaid, text or none.", "auto", InputUse.Value, "--charts") { Choices = ["auto", "mermaid", "text", "none"], Group = Advanced },
                new("pull-request", "The pull request number, when the event does not carry one (the workflow_run pattern for forks).", "", InputUse.Value, "--pull-request") { VisibleWhen = "comment != never" },
                new("commit-status", "true to also set a commit status mlops/KEY with the verdict (needs statuses: write).", "false", InputUse.Switch, "--commit-status") { Hosts = ActionHosts.GitHub },
                new("github-token", "Token for the comment. The default GITHUB_TOKEN works with permissions: pull-requests: write.", "", InputUse.Environment, "GITHUB_TOKEN")
                {
                    Hosts = ActionHosts.GitHub, Secret = true, GitHubDefault = "${{ github.token }}",
                },
            ],
            Outputs =
            [
                new("passed", "true when validation passed and the candidate is blessed (stages that did not run do not count)."),
                new("blessed", "true or false (only when there is an evaluation)."),
                new("report", "Path of the report file (relative to the workspace unless output is absolute)."),
                new("comment-url", "The sticky comment, when one was written."),
            ],
            AzureTaskId = new("7e3a6cb5-9b8f-4c4d-ae27-6a8c0e2a4c34"),
        },
        new()
        {
            Name = "register",
            Title = "Register",
            Description = "Register the trained, blessed model as the next immutable version in the registry (local folder or Azure Blob Storage), optionally under an alias.",
            Command = ["register", "--json"],
            Inputs =
            [
                Config(" (its registry: section picks the backend)"),
                new("model", "The training folder or model file.", StageFolders.Train, InputUse.Value, "--model"),
                new("evaluation", "The evaluation.json that blesses it.", StageFolders.EvaluationFile, InputUse.Value, "--evaluation"),
                new("alias", "An alias to point at the new version (e.g. staging); empty for none.", "", InputUse.Value, "--alias"),
            ],
            Outputs =
            [
                new("model-version", "The new version number."),
                new("model-uri", "The URI of the version manifest in the registry."),
            ],
            ReadOutputs = r => [new("model-version", r.FromJson("modelVersion")), new("model-uri", r.FromJson("modelUri"))],
            AzureTaskId = new("9a5c8ed7-1da1-4e6f-a049-8c0e2a4c6e45"),
        },
        new()
        {
            Name = "deploy",
            Title = "Deploy",
            Description = "Deploy a release: optionally a canary analysis first, then move production to the released version, reload the server, wait until it serves it, smoke-test, and roll back automatically on failure.",
            Command = ["deploy"],
            Inputs =
            [
                Config(),
                new("version", "The registry version (3 or v3); empty: from the release tag (v3 or NAME-v3), else the version in from.", "", InputUse.Value, "--version"),
                new("from", "The alias holding the blessed candidate.", "staging", InputUse.Value, "--from"),
                new("to", "The alias to move.", "production", InputUse.Value, "--to"),
                new("server", "The mlops serve URL to reload and smoke-test, or several separated by commas (every replica); empty: smoke-test in-process and let the servers poll.", "", InputUse.Value, "--server"),
                new("smoke-test", "A JSON file of [{\"input\": {...}, \"expected\": ...}].", "", InputUse.Value, "--smoke-test"),
                new("canary", "Before the switch, send this percent of requests to the candidate on every server and compare it with production (error rate, p95 latency, prediction drift); promote only if it is no worse. Empty: switch at once.", "", InputUse.Value, "--canary"),
                new("analyze", "How long the canary runs (with canary), e.g. 10m.", "", InputUse.Value, "--analyze"),
                new("admin-token", "The serving target admin token (a secret).", "", InputUse.Environment, "MLOPS_ADMIN_TOKEN") { Secret = true },
                new("output", "Folder for deployment.json.", StageFolders.Deploy, InputUse.Value, "--output") { Group = Advanced },
            ],
            Outputs =
            [
                new("deployed", "true when the release is live."),
                new("record", "Path to deployment.json."),
            ],
            ReadOutputs = r => [new("deployed", r.Succeeded), new("record", r.Under("output", "deployment.json"))],
            AzureTaskId = new("bc7eaf09-3fc3-4081-b26b-ae2a4c6e8a56"),
        },
        new()
        {
            Name = "predict",
            Title = "Predict",
            Description = "Batch inference: score a dataset with the production model (or NAME@ALIAS, NAME:VERSION, a model file) and write predictions with the key column, class probabilities, model version and time; optionally a sampled prediction log for monitoring.",
            Command = ["predict", "--json"],
            Inputs =
            [
                Config(" (its registry: section picks the backend)"),
                new("data", "Data to score (file, folder or glob); default: data.path in mlops.yaml.", "", InputUse.Value, "--data"),
                new("model", "NAME@ALIAS, NAME:VERSION or a model file; empty: the project at production.", "", InputUse.Value, "--model"),
                new("key", "A column copied to every prediction (an id); default: split.key.", "", InputUse.Value, "--key"),
                new("output", "The predictions file (.csv or .jsonl).", Commands.PredictCommand.DefaultOutput, InputUse.Value, "--output"),
                new("shard", "Score only rows i of n (e.g. 2/4) in a matrix job.", "", InputUse.Value, "--shard") { Group = Advanced },
                new("prediction-log", "Append a sample of rows to this JSON Lines log for mlops monitor.", "", InputUse.Value, "--prediction-log") { Group = Advanced },
                new("log-sample", "The share of rows written to the prediction log, 0 to 1.", "0.1", InputUse.Value, "--log-sample") { Group = Advanced },
            ],
            Outputs =
            [
                new("predictions", "Path to the predictions file."),
                new("rows", "The number of rows scored."),
                new("model-version", "The registry version that scored them (or file)."),
            ],
            ReadOutputs = r => [new("predictions", r.FromJson("predictions")), new("rows", r.FromJson("rows")), new("model-version", r.FromJson("modelVersion"))],
            AzureTaskId = new("d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6"),
        },
        new()
        {
            Name = "monitor",
            Title = "Monitor",
            Description = "Compare production traffic (the prediction log of mlops serve or mlops predict) with the training statistics and evaluation of the version that served it: input drift, prediction drift, schema anomalies and, with labels, performance decay; fails when a rule fails or cannot be checked, and opens one issue per failed rule.",
            Command = ["monitor"],
            Inputs =
            [
                Config(" (its registry: section picks the backend)"),
                new("log", "The prediction log: a file, a folder of rotated files, or a glob.", "", InputUse.Value, "--log"),
                new("since", "Only entries from the last 90m, 24h or 7d; empty: monitor.since, else the whole log.", "", InputUse.Value, "--since"),
                new("window", "A drift time series per window of this length (1h, 1d); empty: monitor.window.", "", InputUse.Value, "--window"),
                new("labels", "Ground truth that arrived later, joined on request_id (and row) or monitor.labels.key; enables the decay check.", "", InputUse.Value, "--labels"),
                new("alert", "auto: one issue per failed rule on GitHub (needs permissions: issues: write), annotations on any CI; issues; none.", "auto", InputUse.Value, "--alert"),
                new("github-token", "Token for the alert issues. The default GITHUB_TOKEN works with permissions: issues: write.", "", InputUse.Environment, "GITHUB_TOKEN")
                {
                    Hosts = ActionHosts.GitHub, Secret = true, GitHubDefault = "${{ github.token }}",
                },
                new("output", "Folder for monitoring.json, report.md and one folder per served version.", Commands.MonitorCommand.DefaultOutput, InputUse.Value, "--output") { Group = Advanced },
            ],
            Outputs =
            [
                new("passed", "true when every served version passed every rule."),
                new("report", "Path to report.md."),
            ],
            ReadOutputs = r => [new("passed", r.Succeeded), new("report", r.Under("output", "report.md"))],
            SummaryFolder = "output",
            AzureTaskId = new("e2f3a4b5-c6d7-4e8f-90a1-b2c3d4e5f607"),
        },
    ];

    /// <summary>The stage with this name, or null.</summary>
    public static ActionDefinition? Find(string name) => All.FirstOrDefault(a => a.Name == name);
}
