using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Deployment;

/// <summary>mlops deploy end to end: registry alias, a running server, smoke test, automatic rollback.</summary>
[Trait("Category", "Integration")]
public sealed class DeployTests : IAsyncLifetime
{
    private ServingSetup _s = null!;
    private string _config = string.Empty;

    public async Task InitializeAsync()
    {
        _s = await ServingSetup.CreateAsync();
        _config = _s.Dir.File("mlops.yaml", "project: penguins\ntask: multiclass\nlabel: species\nregistry:\n  path: registry\n");
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private string Smoke(string gentooExpected) => _s.Dir.File("smoke.json", JsonSerializer.Serialize(new object[]
    {
        new { input = new { bill_length_mm = 38.8, bill_depth_mm = 18.3, flipper_length_mm = 186.0, body_mass_g = 3700.0 }, expected = "Adelie" },
        new { input = new { bill_length_mm = 47.5, bill_depth_mm = 14.7, flipper_length_mm = 217.0, body_mass_g = 5100.0 }, expected = gentooExpected },
    }));

    private Task<(int Code, string Out, string Err)> DeployAsync(Dictionary<string, string>? env, params string[] args) =>
        Support.Cli.RunWithEnvironmentAsync(env ?? new Dictionary<string, string> { ["MLOPS_ADMIN_TOKEN"] = ServingSetup.AdminToken }, ["deploy", "--config", _config, "--output", _s.Dir.Combine("deploy"), .. args]);

    private async Task<string> ServedVersionAsync() => (await _s.GetAsync("/v2/models/penguins")).Body.GetProperty("versions")[0].GetString()!;

    private JsonElement Record() => JsonDocument.Parse(File.ReadAllText(_s.Dir.Combine("deploy/deployment.json"))).RootElement;

    [Fact]
    public async Task A_release_promotes_staging_reloads_the_server_and_passes_the_smoke_test()
    {
        await _s.StartAsync();
        Assert.Equal("1", await ServedVersionAsync());

        var (code, stdout, err) = await DeployAsync(null, "--server", _s.Url, "--smoke-test", Smoke("Gentoo"), "--release-tag", "2026.11.1");
        Assert.True(code == 0, stdout + err);
        Assert.Contains("DEPLOYED: penguins v2 is production; smoke test passed (2 cases).", stdout);
        Assert.Equal(2, await _s.Registry.ResolveAsync("penguins", "production"));
        Assert.Equal("2", await ServedVersionAsync());
        var record = Record();
        Assert.Equal("mlops.deployment", record.GetProperty("kind").GetString());
        Assert.True(record.GetProperty("succeeded").GetBoolean());
        Assert.Equal(1, record.GetProperty("previousVersion").GetInt32());
        Assert.Equal("2026.11.1", record.GetProperty("releaseTag").GetString());
        Assert.Equal("deploy 2026.11.1", (await _s.Registry.AliasesAsync("penguins")).History[^1].Reason);
    }

    [Fact]
    public async Task Every_replica_is_reloaded_and_smoke_tested_and_a_failure_rolls_them_all_back()
    {
        await _s.StartAsync();
        await using var second = await MlOps.Serving.ServingServer.StartAsync(new MlOps.Serving.ServeOptions
        {
            Models = [new MlOps.Serving.ModelSpec(ServingSetup.Model, "production")],
            Task = MlOps.Scoring.ModelTask.Multiclass,
            Registry = _s.Store,
            CacheDirectory = _s.Dir.Combine("cache-2"),
            PollInterval = TimeSpan.Zero, // only the deploy's reload can move it
            Port = 0,
            AdminToken = ServingSetup.AdminToken,
        }, _ => { });
        async Task<string> Served(string url) => JsonDocument.Parse(await _s.Http.GetStringAsync(url + "/v2/models/penguins")).RootElement.GetProperty("versions")[0].GetString()!;

        var (code, stdout, err) = await DeployAsync(null, "--server", $"{_s.Url},{second.Url}", "--smoke-test", Smoke("Gentoo"));
        Assert.True(code == 0, stdout + err);
        Assert.Equal("2", await Served(_s.Url));
        Assert.Equal("2", await Served(second.Url));
        var record = Record();
        Assert.Equal([_s.Url, second.Url], record.GetProperty("servers").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(4, record.GetProperty("smoke").GetArrayLength()); // two cases on each replica

        // Back to v1, then a release whose smoke test fails: both replicas serve v1 again.
        await _s.Registry.PromoteAsync("penguins", 1, "production");
        (code, _, _) = await DeployAsync(null, "--server", _s.Url, "--server", second.Url, "--version", "2", "--smoke-test", Smoke("Chinstrap"));
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Equal("1", await Served(_s.Url));
        Assert.Equal("1", await Served(second.Url));
        Assert.Contains(_s.Url, Record().GetProperty("failure").GetString(), StringComparison.Ordinal); // names the replica
    }

    [Fact]
    public async Task A_failing_smoke_test_rolls_production_and_the_server_back_automatically()
    {
        await _s.StartAsync();
        var (code, stdout, _) = await DeployAsync(null, "--server", _s.Url, "--smoke-test", Smoke("Chinstrap"));
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("NOT DEPLOYED: smoke test failed on 1 of 2 cases (first: case 1: expected \"Chinstrap\", got \"Gentoo\")", stdout);
        Assert.Contains("Rolled back: penguins production is v1 again.", stdout);
        Assert.Equal(1, await _s.Registry.ResolveAsync("penguins", "production"));
        Assert.Equal("1", await ServedVersionAsync());
        var book = await _s.Registry.AliasesAsync("penguins");
        Assert.Equal("rollback", book.History[^1].Action);
        Assert.StartsWith("automatic rollback: smoke test failed", book.History[^1].Reason);
        var record = Record();
        Assert.False(record.GetProperty("succeeded").GetBoolean());
        Assert.Equal(1, record.GetProperty("rolledBackTo").GetInt32());
    }

    [Fact]
    public async Task An_unreachable_server_is_exit_4_after_rolling_back()
    {
        var port = Support.NodeService.FreePort(); // nothing listens there
        var (code, stdout, err) = await DeployAsync(null, "--server", $"http://127.0.0.1:{port}", "--version", "2");
        Assert.Equal(ExitCodes.ExternalServiceError, code);
        Assert.Contains("cannot reach the server", stdout + err);
        Assert.Equal(1, await _s.Registry.ResolveAsync("penguins", "production"));
    }

    [Fact]
    public async Task The_release_tag_names_the_version_and_without_a_server_the_smoke_test_runs_in_process()
    {
        var env = new Dictionary<string, string> { ["GITHUB_EVENT_NAME"] = "release", ["GITHUB_REF_NAME"] = "penguins-v2" };
        var (code, stdout, err) = await DeployAsync(env, "--smoke-test", Smoke("Gentoo"));
        Assert.True(code == 0, stdout + err);
        Assert.Equal(2, await _s.Registry.ResolveAsync("penguins", "production"));
        Assert.Equal("penguins-v2", Record().GetProperty("releaseTag").GetString());

        var bad = await DeployAsync(null, "--version", "staging");
        Assert.Equal(ExitCodes.UsageError, bad.Code);
        Assert.Contains("'staging' is not a version number such as 3 or v3.", bad.Err);
    }
}
