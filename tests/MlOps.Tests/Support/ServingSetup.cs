using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Registry;
using MlOps.Scoring;
using MlOps.Serving;
using MlOps.Tests.Support;

namespace MlOps.Tests.Support;

/// <summary>
/// A local registry with two ONNX versions of a penguins classifier that answer differently
/// (v1 uses body mass only, v2 all four measurements), and a running server on a free
/// 127.0.0.1 port following the production alias.
/// </summary>
public sealed class ServingSetup : IAsyncDisposable
{
    public const string Model = "penguins";
    public const string AdminToken = "test-admin-token";

    private ServingSetup(TempDir dir, ModelRegistry registry, LocalFolderStore store)
    {
        Dir = dir;
        Registry = registry;
        Store = store;
    }

    public TempDir Dir { get; }

    public ModelRegistry Registry { get; }

    public LocalFolderStore Store { get; }

    public ServingServer? Server { get; private set; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Url => Server!.Url;

    public static async Task<ServingSetup> CreateAsync()
    {
        var dir = new TempDir();
        var store = new LocalFolderStore(dir.Combine("registry"));
        var registry = new ModelRegistry(store);
        var csv = Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv");
        await RegisterAsync(registry, dir.Bytes("v1/model.onnx", OnnxModels.NearestCentroid(csv, perColumnInputs: true, use: ["body_mass_g"])));
        await RegisterAsync(registry, dir.Bytes("v2/model.onnx", OnnxModels.NearestCentroid(csv, perColumnInputs: true)));
        await registry.PromoteAsync(Model, 1, "production");
        await registry.PromoteAsync(Model, 2, "staging");
        return new ServingSetup(dir, registry, store);
    }

    public async Task StartAsync(Func<ServeOptions, ServeOptions>? configure = null, Action<string>? log = null)
    {
        var options = new ServeOptions
        {
            Models = [new ModelSpec(Model, "production")],
            Task = ModelTask.Multiclass,
            Registry = Store,
            CacheDirectory = Dir.Combine("cache"),
            PollInterval = TimeSpan.Zero,
            Port = 0,
            AdminToken = AdminToken,
        };
        Server = await ServingServer.StartAsync(configure?.Invoke(options) ?? options, log ?? (_ => { }));
    }

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(Url + path, body);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> PostRawAsync(string path, string body)
    {
        using var response = await Http.PostAsync(Url + path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(Url + path);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<int> AdminAsync(HttpMethod method, string path, object? body = null, string? token = AdminToken)
    {
        using var request = new HttpRequestMessage(method, Url + path);
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Http.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>A row that v1 (body mass only) and v2 (all measurements) classify differently.</summary>
    public static Dictionary<string, object?> Row(double mass = 5400) => new()
    {
        ["bill_length_mm"] = 39.1,
        ["bill_depth_mm"] = 18.7,
        ["flipper_length_mm"] = 181.0,
        ["body_mass_g"] = mass,
    };

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        Http.Dispose();
        Dir.Dispose();
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A multiclass server on a free port following <paramref name="model"/>@production in the example's local registry under <paramref name="dir"/> (.mlops/registry), as the project flows leave it.</summary>
    public static Task<ServingServer> FromExampleRegistryAsync(TempDir dir, string model, string? predictionLog = null, (string Reference, double Percent)? canary = null) => ServingServer.StartAsync(new ServeOptions
    {
        Models = [new ModelSpec(model, "production")],
        Task = ModelTask.Multiclass,
        Registry = new LocalFolderStore(dir.Combine(".mlops/registry")),
        CacheDirectory = dir.Combine("cache"),
        PollInterval = TimeSpan.Zero,
        Port = 0,
        PredictionLog = predictionLog,
        LogSampleRate = 1,
        Canary = canary,
    }, _ => { });

    public static async Task RegisterAsync(ModelRegistry registry, string path)
    {
        var sha = (await Artifacts.DataFingerprint.FileAsync(path)).Sha256;
        await registry.RegisterAsync(new NewVersion
        {
            Name = Model,
            ModelFile = "model.onnx",
            Files = [new ArtifactFile("model.onnx", path)],
            Manifest = new ModelVersion { Name = Model, Version = 0, CreatedAt = DateTimeOffset.UtcNow, CreatedBy = Actor.Current(), ModelFile = "model.onnx", Format = "onnx", Artifacts = [], Blessed = true },
        });
    }
}
