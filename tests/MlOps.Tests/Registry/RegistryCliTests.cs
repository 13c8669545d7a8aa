using System.Text.Json;
using MlOps.Evaluation;
using MlOps.Tests.Support;

namespace MlOps.Tests.Registry;

/// <summary>The registry commands as users run them: validate → train → evaluate → register → promote → pull, on both backends.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RegistryCliTests(Azurite azurite)
{
    private static string Example(string path) => Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", path);

    private static string Config(TempDir dir, string registry) => dir.File("mlops.yaml", $$"""
        project: penguins
        task: multiclass
        label: species
        data: { path: {{Example("data/penguins.csv")}} }
        split: { key: penguin_id }
        evaluate: { bootstrap: { resamples: 200 }, first-model: allow }
        {{registry}}
        """);

    private static async Task<(int Code, string Out, string Err)> Run(TempDir dir, string config, params string[] args)
    {
        _ = dir;
        var all = new List<string>(args) { "--config", config };
        return await Support.Cli.RunAsync(all.ToArray());
    }

    [Fact]
    public async Task A_blessed_model_is_registered_promoted_and_pulled_back_verified_on_the_local_registry()
    {
        using var dir = new TempDir();
        await RoundTripAsync(dir, Config(dir, $"registry: {{ path: {dir.Combine("registry")} }}"));
        Assert.True(File.Exists(dir.Combine("registry/models/penguins/aliases.json")));
    }

    [Fact]
    public async Task A_blessed_model_is_registered_promoted_and_pulled_back_verified_on_azure_blob_storage()
    {
        using var dir = new TempDir();
        var variable = "MLOPS_TEST_AZURITE_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Support.Cli.SetVariable(variable, azurite.ConnectionString);
        try
        {
            var container = "cli" + Guid.NewGuid().ToString("N")[..10];
            await RoundTripAsync(dir, Config(dir, $"registry: {{ azure: {{ container: {container}, connection-string-env: {variable} }} }}"));
        }
        finally
        {
            Support.Cli.SetVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_container_sas_url_works_end_to_end_and_its_signature_is_never_printed()
    {
        using var dir = new TempDir();
        var container = new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, "sas" + Guid.NewGuid().ToString("N")[..10]);
        await container.CreateAsync();
        var full = container.GenerateSasUri(Azure.Storage.Sas.BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1)).ToString();
        var variable = "MLOPS_TEST_SAS_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var config = Config(dir, $"registry: {{ azure: {{ container-url-env: {variable} }} }}");
        Support.Cli.SetVariable(variable, full);
        try
        {
            var signature = System.Web.HttpUtility.ParseQueryString(new Uri(full).Query)["sig"]!;
            var printed = new System.Text.StringBuilder();
            async Task<int> Step(params string[] args)
            {
                var (code, stdout, stderr) = await Run(dir, config, args);
                printed.Append(stdout).Append(stderr);
                return code;
            }

            Assert.Equal(0, await Step("train", "--output", dir.Combine("train")));
            Assert.Equal(0, await Step("evaluate", "--model", dir.Combine("train"), "--output", dir.Combine("eval")));
            Assert.Equal(0, await Step("register", "--model", dir.Combine("train"), "--evaluation", dir.Combine("eval/evaluation.json"), "--alias", "staging"));
            Assert.Equal(0, await Step("pull", "staging", "--output", dir.Combine("pulled")));
            Assert.Equal(File.ReadAllBytes(dir.Combine("train/model.zip")), File.ReadAllBytes(dir.Combine("pulled/model.zip")));

            // A read-only token: the write is refused, one line names the operation and status, exit 4.
            Support.Cli.SetVariable(variable, container.GenerateSasUri(Azure.Storage.Sas.BlobContainerSasPermissions.Read | Azure.Storage.Sas.BlobContainerSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1)).ToString());
            var (denied, _, err) = await Run(dir, config, "register", "--model", dir.Combine("train"), "--evaluation", dir.Combine("eval/evaluation.json"));
            printed.Append(err);
            Assert.Equal(ExitCodes.ExternalServiceError, denied);
            Assert.Contains("403", err, StringComparison.Ordinal);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.DoesNotContain(signature, printed.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(signature), printed.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Support.Cli.SetVariable(variable, null);
        }
    }

    private static async Task RoundTripAsync(TempDir dir, string config)
    {
        var train = dir.Combine("train");
        var eval = dir.Combine("eval");
        var (t, o, e) = await Run(dir, config, "train", "--output", train);
        Assert.True(t == 0, o + e);
        (t, o, e) = await Run(dir, config, "evaluate", "--model", train, "--output", eval);
        Assert.True(t == 0, o + e);
        Assert.Contains("first model", o, StringComparison.Ordinal);

        var (code, stdout, err) = await Run(dir, config, "register", "--model", train, "--evaluation", Path.Combine(eval, "evaluation.json"), "--alias", "staging", "--tag", "team=birds", "--json");
        Assert.True(code == 0, stdout + err);
        using (var json = JsonDocument.Parse(stdout))
        {
            Assert.Equal(1, json.RootElement.GetProperty("modelVersion").GetInt32());
            Assert.EndsWith("models/penguins/versions/1.json", json.RootElement.GetProperty("modelUri").GetString(), StringComparison.Ordinal);
        }

        (code, stdout, err) = await Run(dir, config, "promote", "staging", "--to", "production", "--reason", "first release");
        Assert.True(code == 0, stdout + err);
        Assert.Contains("production: v1", stdout, StringComparison.Ordinal);

        (code, stdout, err) = await Run(dir, config, "pull", "production", "--output", dir.Combine("pulled"), "--json");
        Assert.True(code == 0, stdout + err);
        Assert.Equal(File.ReadAllBytes(Path.Combine(train, "model.zip")), File.ReadAllBytes(dir.Combine("pulled/model.zip")));
        foreach (var f in new[] { "run.json", "evaluation.json", "model-card.md" }) Assert.True(File.Exists(dir.Combine("pulled/" + f)), f);
        Assert.Contains("# Model card: penguins", File.ReadAllText(dir.Combine("pulled/model-card.md")), StringComparison.Ordinal);

        // The next evaluation compares against production, pulled from the registry.
        (code, stdout, err) = await Run(dir, config, "evaluate", "--model", train, "--output", dir.Combine("eval2"));
        Assert.True(code == 0, stdout + err);
        var second = await EvaluationResult.ReadAsync(dir.Combine("eval2/evaluation.json"));
        Assert.NotNull(second.Baseline);
        Assert.Equal("registry penguins v1 (production)", second.Baseline!.Source);
        Assert.Equal(0, second.Metrics["accuracy"].Delta);

        (code, stdout, _) = await Run(dir, config, "list", "--json");
        Assert.Equal(0, code);
        using (var list = JsonDocument.Parse(stdout))
        {
            var aliases = list.RootElement[0].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).ToList();
            Assert.Equal(["production", "staging"], aliases);
        }

        (code, stdout, _) = await Run(dir, config, "show", "1");
        Assert.Equal(0, code);
        Assert.Contains("\"team\": \"birds\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"reason\": \"first release\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_refuses_a_model_that_was_not_blessed_unless_forced_with_a_reason()
    {
        using var dir = new TempDir();
        var config = Config(dir, $"registry: {{ path: {dir.Combine("registry")} }}\n");
        var train = dir.Combine("train");
        var (t, o, e) = await Run(dir, config, "train", "--output", train);
        Assert.True(t == 0, o + e);
        var strict = dir.File("strict.yaml", File.ReadAllText(config).Replace("evaluate: { bootstrap: { resamples: 200 }, first-model: allow }", "evaluate: { bootstrap: { resamples: 200 }, first-model: allow, gates: { accuracy: { threshold: 1.01 } } }", StringComparison.Ordinal));
        var (ev, _, _) = await Run(dir, strict, "evaluate", "--model", train, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.GateFailed, ev);

        var evaluation = dir.Combine("eval/evaluation.json");
        var (code, _, err) = await Run(dir, config, "register", "--model", train, "--evaluation", evaluation);
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("the evaluation did not bless this model", err, StringComparison.Ordinal);

        (code, _, err) = await Run(dir, config, "register", "--model", train, "--evaluation", evaluation, "--force");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("needs --reason", err, StringComparison.Ordinal);

        (code, var stdout, err) = await Run(dir, config, "register", "--model", train, "--evaluation", evaluation, "--force", "--reason", "hotfix approved by on-call");
        Assert.True(code == 0, stdout + err);
        (code, stdout, _) = await Run(dir, config, "show", "1");
        Assert.Contains("\"forcedReason\": \"hotfix approved by on-call\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_with_no_earlier_version_is_a_clear_error()
    {
        using var dir = new TempDir();
        var config = Config(dir, $"registry: {{ path: {dir.Combine("registry")} }}\n");
        var (code, _, err) = await Run(dir, config, "rollback");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("no earlier version to roll back to", err, StringComparison.Ordinal);
    }
}
