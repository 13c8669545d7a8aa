using System.Globalization;
using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Deployment;

/// <summary>
/// mlops deploy --canary --analyze against a real server under load: the candidate gets its
/// share, both versions' answers are compared (traffic, error rate, p95 latency, prediction drift
/// by validate's rules), and production moves only when the candidate is no worse; otherwise the
/// canary is removed and production stays. deployment.json records every rule and why.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CanaryDeployTests : IAsyncLifetime
{
    private ServingSetup _s = null!;
    private string _config = string.Empty;

    public async Task InitializeAsync()
    {
        _s = await ServingSetup.CreateAsync();
        _config = _s.Dir.File("mlops.yaml", "project: penguins\ntask: multiclass\nlabel: species\nregistry:\n  path: registry\n");
        await _s.StartAsync();
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task A_candidate_that_answers_like_production_is_promoted_after_the_analysis()
    {
        // v3: the production model again, registered anew; its answers match production's row for row.
        var csv = Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv");
        await ServingSetup.RegisterAsync(_s.Registry, _s.Dir.Bytes("v3/model.onnx", OnnxModels.NearestCentroid(csv, perColumnInputs: true, use: ["body_mass_g"])));
        await _s.Registry.PromoteAsync("penguins", 3, "staging");

        var (code, stdout, err, served) = await DeployUnderLoadAsync("--canary", "30", "--analyze", "4s", "--min-requests", "20");
        Assert.True(code == 0, stdout + err);
        Assert.Contains("DEPLOYED: penguins v3 is production after a 30% canary of", stdout);
        Assert.Equal(3, await _s.Registry.ResolveAsync("penguins", "production"));
        Assert.Equal("3", await ServedVersionAsync());
        Assert.Equal(0, served.Failed);

        var canary = Record().GetProperty("canary");
        Assert.True(canary.GetProperty("passed").GetBoolean());
        Assert.Equal(["traffic", "error rate", "p95 latency", "prediction drift"], canary.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("rule").GetString()));
        var answers = canary.GetProperty("answers").EnumerateArray().ToDictionary(a => a.GetProperty("version").GetString()!, a => a);
        // Both versions got traffic in about the share asked for (30 % of a few hundred requests).
        var share = answers["3"].GetProperty("requests").GetDouble() / (answers["3"].GetProperty("requests").GetDouble() + answers["1"].GetProperty("requests").GetDouble());
        Assert.InRange(share, 0.15, 0.45);
        var watched = answers["3"].GetProperty("requests").GetInt64() + answers["1"].GetProperty("requests").GetInt64();
        Assert.InRange(watched, 20, served.Succeeded); // the server's own count of the requests sent while the canary ran
        Assert.True(File.Exists(_s.Dir.Combine("deploy/canary/v1-prediction-stats.json")));
        Assert.True(File.Exists(_s.Dir.Combine("deploy/canary/prediction-drift.json")));
        var canaryNow = await CanaryStateAsync();
        Assert.Equal(JsonValueKind.Null, canaryNow.GetProperty("canary").ValueKind); // removed after the analysis
    }

    [Fact]
    public async Task A_candidate_whose_predictions_drift_is_not_promoted_and_the_canary_is_removed()
    {
        // v2 (all four measurements) tells Adelie and Chinstrap apart; v1 (body mass) cannot: the label shares differ.
        var (code, stdout, err, served) = await DeployUnderLoadAsync("--canary", "40", "--analyze", "4s", "--min-requests", "20");
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("NOT DEPLOYED: canary prediction drift: candidate v2's predictions drifted from production v1's: ", stdout);
        Assert.Contains("penguins production stays at v1; the canary was removed after a 40% canary", stdout);
        Assert.Equal(1, await _s.Registry.ResolveAsync("penguins", "production"));
        Assert.Equal("1", await ServedVersionAsync());
        Assert.Equal(0, served.Failed);

        var record = Record();
        Assert.False(record.GetProperty("succeeded").GetBoolean());
        Assert.Equal(1, record.GetProperty("previousVersion").GetInt32());
        var rules = record.GetProperty("canary").GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("rule").GetString()!, r => r.GetProperty("passed").GetBoolean());
        Assert.True(rules["traffic"]);
        Assert.True(rules["error rate"]);
        Assert.False(rules["prediction drift"]);
        Assert.Equal(JsonValueKind.Null, (await CanaryStateAsync()).GetProperty("canary").ValueKind);

        // The drift report is validate's: the class probabilities moved far past PSI's limit.
        var drift = JsonDocument.Parse(File.ReadAllText(_s.Dir.Combine("deploy/canary/prediction-drift.json"))).RootElement;
        Assert.Contains(drift.GetProperty("columns").EnumerateArray(), c => c.GetProperty("column").GetString() == "probability_Gentoo" && c.GetProperty("drifted").GetBoolean());
    }

    [Fact]
    public async Task A_canary_without_traffic_fails_closed_and_production_stays()
    {
        var (code, stdout, err) = await DeployAsync("--canary", "10", "--analyze", "1s");
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("NOT DEPLOYED: canary traffic: candidate v2 answered 0 requests and production v1 0; at least 100 each are needed", stdout + err);
        Assert.Equal(1, await _s.Registry.ResolveAsync("penguins", "production"));
        Assert.Equal(JsonValueKind.Null, (await CanaryStateAsync()).GetProperty("canary").ValueKind);
    }

    [Theory]
    [InlineData("0", "expected a percent of requests above 0 and below 100, got 0.")]
    [InlineData("100", "expected a percent of requests above 0 and below 100, got 100.")]
    public async Task A_canary_share_that_compares_nothing_is_a_usage_error(string share, string message)
    {
        var (code, _, err) = await DeployAsync("--canary", share);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains($"--canary: {message}", err);
        Assert.Equal(1, await _s.Registry.ResolveAsync("penguins", "production"));
    }

    [Fact]
    public async Task A_canary_needs_the_servers_that_route_it()
    {
        var (code, _, err) = await Support.Cli.RunWithEnvironmentAsync(new Dictionary<string, string> { ["MLOPS_ADMIN_TOKEN"] = ServingSetup.AdminToken }, "deploy", "--config", _config, "--output", _s.Dir.Combine("deploy"), "--canary", "10");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("--canary: a canary needs the servers that route it: give --server URL for every replica.", err);
    }

    private Task<(int Code, string Out, string Err)> DeployAsync(params string[] args) =>
        Support.Cli.RunWithEnvironmentAsync(new Dictionary<string, string> { ["MLOPS_ADMIN_TOKEN"] = ServingSetup.AdminToken }, ["deploy", "--config", _config, "--output", _s.Dir.Combine("deploy"), "--server", _s.Url, .. args]);

    // Two clients send penguins.csv rows (5 per request, V1 predict) for as long as the deploy runs.
    private async Task<(int Code, string Out, string Err, (long Succeeded, long Failed) Served)> DeployUnderLoadAsync(params string[] args)
    {
        var rows = File.ReadAllLines(Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f.Length > 6 && f.Skip(3).Take(4).All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            .Select(f => new Dictionary<string, double> { ["bill_length_mm"] = D(f[3]), ["bill_depth_mm"] = D(f[4]), ["flipper_length_mm"] = D(f[5]), ["body_mass_g"] = D(f[6]) })
            .ToList();
        Assert.True(rows.Count > 300, $"{rows.Count} rows");
        using var stop = new CancellationTokenSource();
        long ok = 0, failed = 0;
        async Task Client(int seed)
        {
            var i = seed * 97;
            while (!stop.IsCancellationRequested)
            {
                var batch = Enumerable.Range(0, 5).Select(k => rows[(i + k) % rows.Count]).ToList();
                i += 5;
                using var response = await _s.Http.PostAsync(_s.Url + "/v1/models/penguins:predict", new StringContent(JsonSerializer.Serialize(new { instances = batch }), System.Text.Encoding.UTF8, "application/json"));
                Interlocked.Increment(ref response.IsSuccessStatusCode ? ref ok : ref failed);
            }
        }

        var clients = Enumerable.Range(0, 2).Select(s => Task.Run(() => Client(s))).ToList();
        var (code, stdout, err) = await DeployAsync(args);
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        return (code, stdout, err, (Interlocked.Read(ref ok), Interlocked.Read(ref failed)));

        static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    }

    private async Task<string> ServedVersionAsync() => (await _s.GetAsync("/v2/models/penguins")).Body.GetProperty("versions")[0].GetString()!;

    private async Task<JsonElement> CanaryStateAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _s.Url + "/admin/models/penguins/canary");
        request.Headers.Authorization = new("Bearer", ServingSetup.AdminToken);
        using var response = await _s.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private JsonElement Record() => JsonDocument.Parse(File.ReadAllText(_s.Dir.Combine("deploy/deployment.json"))).RootElement;
}
