using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Registry;
using MlOps.Tests.Support;

namespace MlOps.Tests.Deployment;

/// <summary>
/// Scale-out on one registry: three mlops serve processes follow production on Azure Blob Storage
/// (Azurite) while clients keep sending requests to all of them; a promotion reaches every replica
/// within the poll interval with zero failed requests, and SIGTERM stops each one with exit 0.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Integration")]
public sealed partial class ReplicaConvergenceTests(Azurite azurite) : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _container = "replicas" + Guid.NewGuid().ToString("N")[..10];

    public void Dispose() => _dir.Dispose();

    private Process Serve(string config)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory.CreateDirectory(_dir.Combine("replica-" + Guid.NewGuid().ToString("N")[..6])).FullName };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mlops.dll"), "serve", "--config", config, "--port", "0", "--poll", "1s", "--drain", "10s" }) info.ArgumentList.Add(a);
        info.Environment["MLOPS_REGISTRY_CONNECTION"] = azurite.ConnectionString;
        foreach (var ci in new[] { "CI", "GITHUB_ACTIONS", "TF_BUILD" }) info.Environment.Remove(ci);
        return Process.Start(info)!;
    }

    private static async Task<string> UrlAsync(Process server)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await server.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            if (ServingLine().Match(line) is { Success: true } m) return m.Groups[1].Value;
        }

        throw new InvalidOperationException("the server never said where it serves: " + await server.StandardError.ReadToEndAsync());
    }

    [Fact]
    public async Task Three_replicas_converge_on_a_promotion_under_load_with_zero_failed_requests()
    {
        var registry = new ModelRegistry(new AzureBlobStore(new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, _container, AzureBlobStore.Options())));
        var csv = Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv");
        await ServingSetup.RegisterAsync(registry, _dir.Bytes("v1/model.onnx", OnnxModels.NearestCentroid(csv, perColumnInputs: true, use: ["body_mass_g"])));
        await ServingSetup.RegisterAsync(registry, _dir.Bytes("v2/model.onnx", OnnxModels.NearestCentroid(csv, perColumnInputs: true)));
        await registry.PromoteAsync(ServingSetup.Model, 1, "production");
        var config = _dir.File("mlops.yaml", $"project: penguins\ntask: multiclass\nlabel: species\nregistry: {{ azure: {{ container: {_container}, connection-string-env: MLOPS_REGISTRY_CONNECTION }} }}\n");

        var servers = Enumerable.Range(0, 3).Select(_ => Serve(config)).ToList();
        try
        {
            var urls = await Task.WhenAll(servers.Select(UrlAsync));
            var errors = servers.Select(s => s.StandardError.ReadToEndAsync()).ToList();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var failures = new ConcurrentQueue<string>();
            var versions = urls.ToDictionary(u => u, _ => new ConcurrentDictionary<string, DateTime>());
            long requests = 0;
            using var stop = new CancellationTokenSource();
            var body = new { inputs = ServingSetup.Row().Select(p => new { name = p.Key, datatype = "FP32", shape = new[] { 1 }, data = new[] { p.Value } }) };

            // Four clients, each sending to every replica in turn, until told to stop.
            var load = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                for (var i = c; !stop.IsCancellationRequested; i++)
                {
                    var url = urls[i % urls.Length];
                    try
                    {
                        using var response = await http.PostAsJsonAsync(url + "/v2/models/penguins/infer", body);
                        var text = await response.Content.ReadAsStringAsync();
                        if (!response.IsSuccessStatusCode) failures.Enqueue($"{url}: HTTP {(int)response.StatusCode} {text}");
                        else versions[url].TryAdd(JsonDocument.Parse(text).RootElement.GetProperty("model_version").GetString()!, DateTime.UtcNow);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                    {
                        failures.Enqueue($"{url}: {e.Message}");
                    }

                    Interlocked.Increment(ref requests);
                }
            })).ToList();

            var warm = Stopwatch.StartNew();
            while (!urls.All(u => versions[u].ContainsKey("1")) && warm.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
            await Task.Delay(500);
            Assert.True(failures.IsEmpty, string.Join("; ", failures.Take(3)));
            Assert.All(urls, u => Assert.Equal(["1"], versions[u].Keys));
            var promoted = DateTime.UtcNow;
            await registry.PromoteAsync(ServingSetup.Model, 2, "production");

            // Every replica answers with v2 within a few poll intervals.
            var deadline = Stopwatch.StartNew();
            while (!urls.All(u => versions[u].ContainsKey("2")) && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
            await Task.Delay(500); // and keeps serving after the swap
            stop.Cancel();
            await Task.WhenAll(load);

            Assert.True(failures.IsEmpty, $"{failures.Count} of {requests} requests failed: {string.Join("; ", failures.Take(5))}");
            Assert.True(requests > 200, $"only {requests} requests: the load did not run");
            foreach (var u in urls)
            {
                Assert.True(versions[u].TryGetValue("2", out var at), $"{u} never served v2");
                Assert.True(at - promoted < TimeSpan.FromSeconds(6), $"{u} took {(at - promoted).TotalSeconds:0.0} s to swap (poll 1s)");
            }

            // SIGTERM (a rollout): each replica drains and exits 0.
            foreach (var s in servers)
            {
                var (code, _, err) = await Processes.RunAsync("kill", ["-TERM", s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
                Assert.True(code == 0, err);
            }

            foreach (var (s, err) in servers.Zip(errors))
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await s.WaitForExitAsync(bound.Token);
                Assert.True(s.ExitCode == 0, $"exit {s.ExitCode}: {await err}");
            }
        }
        finally
        {
            foreach (var s in servers.Where(s => !s.HasExited)) s.Kill(entireProcessTree: true);
            foreach (var s in servers) s.Dispose();
        }
    }

    [GeneratedRegex(@"^Serving penguins v1 \(production\) on (http://[^/]+)/v2/models/penguins$")]
    private static partial Regex ServingLine();
}
