using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using MlOps.Tests.Support;

namespace MlOps.Tests.EndToEnd;

/// <summary>
/// The whole product as a user's workflow runs it: a pull request on the example repository goes
/// through every action (validate-data → train → evaluate → report → register), then a release
/// runs deploy. Each action runs as the GitHub runner runs it (<see cref="ActionRunner"/>: its
/// action.yml step in bash with the runner's variables, event payload, outputs and summary files),
/// against GitHub's API as its OpenAPI description defines it (Prism) and a registry on Azurite.
/// </summary>
[Collection(GitHubApiCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PullRequestFlowTests : IClassFixture<Azurite>, IDisposable
{
    private const string Repo = "octo-org/penguins";
    private const int PullRequest = 12;
    private const string Token = "ghs_end-to-end-token-1234";
    private readonly GitHubApi _api;
    private readonly Azurite _azurite;
    private readonly TempDir _dir = new();
    private readonly string _container = "e2e" + Guid.NewGuid().ToString("N")[..10];

    public PullRequestFlowTests(GitHubApi api, Azurite azurite)
    {
        _api = api;
        _api.Reset();
        _azurite = azurite;
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_pull_request_runs_every_action_and_a_release_deploys_what_it_registered()
    {
        var workspace = _dir.Combine("workspace");
        var config = Examples.CopyPenguins(workspace);
        File.AppendAllText(config, $"\nregistry: {{ azure: {{ container: {_container}, connection-string-env: MLOPS_REGISTRY_CONNECTION }} }}\n");
        var pr = new ActionRunner(workspace, _dir.Combine("runner-temp"), Runner(workspace, "pull_request", PullRequestEvent()), Token);

        var validate = await pr.RunAsync("validate-data");
        Assert.True(validate.Code == 0, validate.Log);
        Assert.Equal("true", validate.Outputs["passed"]);
        Assert.True(File.Exists(Path.Combine(workspace, validate.Outputs["report"])));

        var train = await pr.RunAsync("train", new Dictionary<string, string> { ["seed"] = "7" });
        Assert.True(train.Code == 0, train.Log);
        Assert.EndsWith("model.zip", train.Outputs["model"]);
        Assert.True(File.Exists(Path.Combine(workspace, train.Outputs["model"])));
        var runRecord = JsonNode.Parse(File.ReadAllText(Path.Combine(workspace, "mlops-out/train/run.json")))!;
        Assert.Equal(train.Outputs["run-id"], (string?)runRecord["runId"]);
        Assert.Equal(7, (int?)runRecord["trainer"]!["seed"]);

        var evaluate = await pr.RunAsync("evaluate");
        Assert.True(evaluate.Code == 0, evaluate.Log);
        Assert.Equal("true", evaluate.Outputs["blessed"]);

        var report = await pr.RunAsync("report");
        Assert.True(report.Code == 0, report.Log + string.Join("\n", _api.Violations));
        Assert.Equal("true", report.Outputs["passed"]);
        Assert.Equal("true", report.Outputs["blessed"]);
        Assert.StartsWith("https://github.com/", report.Outputs["comment-url"]);
        // Paths in outputs are relative to the workspace: a container action sees it at
        // /github/workspace, the next step on the runner somewhere else.
        Assert.Equal("mlops-out/report.md", report.Outputs["report"]);
        Assert.All(new[] { validate.Outputs["report"], train.Outputs["model"], evaluate.Outputs["report"] }, p => Assert.False(Path.IsPathRooted(p), p));
        var comment = Assert.Single(_api.Comments.Values, c => c.Issue == PullRequest);
        Assert.Contains("<!-- mlops-report:mlops -->", comment.Body);
        Assert.Contains("## ✅ Blessed", comment.Body);
        Assert.Contains(train.Outputs["run-id"], comment.Body);
        Assert.Contains("::add-mask::" + Token, report.Log);
        Assert.All(report.Log.Split('\n').Where(l => l.Contains(Token)), l => Assert.Equal("::add-mask::" + Token, l)); // never printed otherwise

        var register = await pr.RunAsync("register", new Dictionary<string, string> { ["alias"] = "staging" });
        Assert.True(register.Code == 0, register.Log);
        Assert.Equal("1", register.Outputs["model-version"]);
        Assert.StartsWith(_azurite.BlobEndpoint, register.Outputs["model-uri"]);

        // The job summary holds each stage's report, in order.
        var summary = pr.Summary;
        Assert.True(summary.IndexOf("Data validation", StringComparison.Ordinal) < summary.IndexOf("<!-- mlops-report:mlops -->", StringComparison.Ordinal), summary[..Math.Min(2000, summary.Length)]);
        Assert.Empty(_api.Violations);

        // The release v1 deploys what the pull request registered.
        var release = new ActionRunner(workspace, _dir.Combine("runner-temp"), Runner(workspace, "release", new JsonObject { ["action"] = "published", ["release"] = new JsonObject { ["tag_name"] = "v1" } }, "v1"), Token);
        var deploy = await release.RunAsync("deploy");
        Assert.True(deploy.Code == 0, deploy.Log);
        Assert.Equal("true", deploy.Outputs["deployed"]);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(workspace, deploy.Outputs["record"])))!;
        Assert.Equal(1, (int?)record["version"]);

        // The inference pipeline: the predict action scores the data with what is now production.
        var predict = await release.RunAsync("predict", new Dictionary<string, string> { ["output"] = "predictions.csv" });
        Assert.True(predict.Code == 0, predict.Log);
        Assert.Equal("1", predict.Outputs["model-version"]);
        var scored = File.ReadAllLines(Path.Combine(workspace, "predictions.csv"));
        Assert.Equal(int.Parse(predict.Outputs["rows"], System.Globalization.CultureInfo.InvariantCulture), scored.Length - 1);
        Assert.Equal(File.ReadAllLines(Path.Combine(workspace, "data", "current.csv")).Length - 1, scored.Length - 1);
        Assert.StartsWith("penguin_id,label,probability_Adelie,", scored[0], StringComparison.Ordinal);

        // The registry on Azure Blob Storage: version 1, staging and production on it.
        var blobs = new BlobContainerClient(_azurite.ConnectionString, _container);
        Assert.True((await blobs.GetBlobClient("models/penguins/versions/1.json").ExistsAsync()).Value);
        Assert.False((await blobs.GetBlobClient("models/penguins/versions/2.json").ExistsAsync()).Value);
        using var aliases = JsonDocument.Parse((await blobs.GetBlobClient("models/penguins/aliases.json").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(1, aliases.RootElement.GetProperty("aliases").GetProperty("staging").GetInt32());
        Assert.Equal(1, aliases.RootElement.GetProperty("aliases").GetProperty("production").GetInt32());
    }

    [Fact]
    public async Task A_failing_data_gate_fails_its_step_and_the_report_still_comments()
    {
        var workspace = _dir.Combine("workspace");
        Examples.CopyPenguins(workspace, "data/planted/current.csv");
        var pr = new ActionRunner(workspace, _dir.Combine("runner-temp"), Runner(workspace, "pull_request", PullRequestEvent()), Token);

        var validate = await pr.RunAsync("validate-data");
        Assert.Equal(1, validate.Code);
        Assert.Equal("false", validate.Outputs["passed"]);

        // if: always() — the report runs; train and evaluate did not, so their folders are absent.
        var report = await pr.RunAsync("report");
        Assert.True(report.Code == 0, report.Log);
        Assert.Equal("false", report.Outputs["passed"]);
        Assert.Contains("::error file=", report.Log); // anomalies annotated beside the data file
        Assert.False(report.Outputs.TryGetValue("blessed", out var blessed) && blessed.Length > 0);
        var comment = Assert.Single(_api.Comments.Values, c => c.Issue == PullRequest);
        Assert.Contains("## ❌ Data validation failed", comment.Body);
        Assert.Empty(_api.Violations);
    }

    private static JsonObject PullRequestEvent() => GitHubEvents.PullRequest(Repo, PullRequest, new string('a', 40));

    /// <summary>The variables the runner gives every step of a job (a subset: the ones a step can read).</summary>
    private Dictionary<string, string> Runner(string workspace, string eventName, JsonObject payload, string refName = "refs/pull/12/merge")
    {
        var eventPath = _dir.File($"event-{eventName}.json", payload.ToJsonString());
        var bin = MlopsLauncher.Create(_dir.Combine("bin"));
        Directory.CreateDirectory(_dir.Combine("runner-temp"));
        var env = ActionRunner.JobEnvironment(bin, _dir.Path, Repo, eventName, eventPath, refName, new string('b', 40), _api.Url, "777");
        env["MLOPS_REGISTRY_CONNECTION"] = _azurite.ConnectionString;
        return env;
    }
}
