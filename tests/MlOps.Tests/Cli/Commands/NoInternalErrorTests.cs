using System.Text.Json.Nodes;
using MlOps.Registry;
using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Commands;

/// <summary>Input that used to end in "internal error" (exit 70): now one line naming what is wrong, exit 2 or 3.</summary>
public sealed class NoInternalErrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Config => Examples.CopyPenguins(_dir.Combine("project"));

    private static void AssertOneLine(int expected, (int Code, string Out, string Err) r, string contains)
    {
        Assert.True(r.Code == expected, $"exit {r.Code}: {r.Out}{r.Err}");
        var errors = r.Err.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.DoesNotContain("internal error", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.Contains(contains, errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symbolic_link_loop_as_training_data()
    {
        var config = Config;
        var loop = _dir.Combine("loop");
        Directory.CreateDirectory(loop);
        File.CreateSymbolicLink(Path.Combine(loop, "a.csv"), Path.Combine(loop, "b.csv"));
        File.CreateSymbolicLink(Path.Combine(loop, "b.csv"), Path.Combine(loop, "a.csv"));
        AssertOneLine(ExitCodes.DataError, await Support.Cli.RunAsync("train", "--config", config, "--data", Path.Combine(loop, "a.csv"), "--output", _dir.Combine("out")), "is a symbolic link");
    }

    [Fact]
    public async Task An_output_that_names_an_existing_file()
    {
        var config = Config;
        var file = _dir.File("taken", "x");
        AssertOneLine(ExitCodes.DataError, await Support.Cli.RunAsync("validate", "--config", config, "--output", file), "taken");
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public async Task An_alias_record_whose_history_is_null()
    {
        var registry = new ModelRegistry(new LocalFolderStore(_dir.Combine("registry")));
        await registry.RegisterAsync(RegistrySamples.Version(_dir, "m", "weights"));
        File.WriteAllText(_dir.Combine("registry/models/m/aliases.json"), """{"aliases":{"production":1},"history":null}""");
        AssertOneLine(ExitCodes.DataError, await Support.Cli.RunAsync("promote", "1", "--to", "staging", "--registry", _dir.Combine("registry"), "--name", "m"), "corrupted alias record");
        Assert.Contains("\"history\":null", File.ReadAllText(_dir.Combine("registry/models/m/aliases.json")), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CraftedSketches() => new()
    {
        { "k", "0" },
        { "count", "-5" },
        { "levels", "[" + string.Join(",", Enumerable.Repeat("[]", 200_000)) + "]" },
        { "levels", "[[" + string.Join(",", Enumerable.Repeat("1.5", 100_000)) + "]]" },
    };

    [Theory]
    [MemberData(nameof(CraftedSketches))]
    public async Task A_crafted_stats_json_baseline_is_refused_at_once(string key, string value)
    {
        var config = Config;
        var (code, o, e) = await Support.Cli.RunAsync("validate", "--config", config, "--output", _dir.Combine("v"));
        Assert.True(code == 0, o + e);
        var stats = JsonNode.Parse(File.ReadAllText(_dir.Combine("v/stats.json")))!;
        stats["columns"]![3]!["sketch"]!["kll"]![key] = JsonNode.Parse(value);
        var crafted = _dir.File("crafted.json", stats.ToJsonString());
        var run = Support.Cli.RunAsync("validate", "--config", config, "--baseline", crafted, "--output", _dir.Combine("v2"));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run, "a crafted sketch keeps validate busy");
        AssertOneLine(ExitCodes.DataError, await run, "crafted.json");
    }

    [Theory]
    [InlineData("minRows", "1e30", "\"minRows\" must be a whole number")]
    [InlineData("minRows", "-1", "\"minRows\" must be a whole number")]
    [InlineData("allowNewColumns", "\"yes\"", "must be true or false")]
    public async Task A_schema_with_impossible_values(string key, string value, string expected)
    {
        var config = Config;
        var schema = JsonNode.Parse(File.ReadAllText(_dir.Combine("project/schema.json")))!;
        schema[key] = JsonNode.Parse(value);
        var path = _dir.File("bad-schema.json", schema.ToJsonString());
        AssertOneLine(ExitCodes.UsageError, await Support.Cli.RunAsync("validate", "--config", config, "--schema", path, "--output", _dir.Combine("v")), expected);
    }

    [Fact]
    public async Task A_schema_with_a_duplicate_column_or_min_above_max()
    {
        var config = Config;
        var schema = JsonNode.Parse(File.ReadAllText(_dir.Combine("project/schema.json")))!;
        var columns = schema["columns"]!.AsArray();
        columns.Add(columns[0]!.DeepClone());
        var duplicate = _dir.File("dup.json", schema.ToJsonString());
        AssertOneLine(ExitCodes.UsageError, await Support.Cli.RunAsync("validate", "--config", config, "--schema", duplicate, "--output", _dir.Combine("v")), "declared twice");

        columns.RemoveAt(columns.Count - 1);
        columns[0]!["min"] = 10;
        columns[0]!["max"] = 5;
        var inverted = _dir.File("minmax.json", schema.ToJsonString());
        AssertOneLine(ExitCodes.UsageError, await Support.Cli.RunAsync("validate", "--config", config, "--schema", inverted, "--output", _dir.Combine("v")), "min 10 is greater than max 5");
    }

    [Fact]
    public async Task A_config_that_is_a_scalar_or_binary()
    {
        AssertOneLine(ExitCodes.UsageError, await Support.Cli.RunAsync("validate", "--config", _dir.File("scalar.yaml", "just some words\n")), "expected key: value lines");
        AssertOneLine(ExitCodes.UsageError, await Support.Cli.RunAsync("validate", "--config", _dir.Bytes("binary.yaml", [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF, 0xFE, 0x00])), "is not a text file");
    }

    [Theory]
    [InlineData("--port", "99999", "is not a port")]
    [InlineData("--port", "-1", "is not a port")]
    [InlineData("--max-rows", "0", "--max-rows: expected at least 1")]
    [InlineData("--max-request-bytes", "-5", "--max-request-bytes: expected a positive number")]
    [InlineData("--log-sample", "2", "--log-sample: expected a share from 0 to 1")]
    [InlineData("--prediction-log", "no/such/folder/log.jsonl", "does not exist")]
    [InlineData("--host", "localhos", "--host: 'localhos' is not an IP address")]
    [InlineData("--host", "*", "is not an IP address")]
    public async Task Serve_options_out_of_range(string option, string value, string expected)
    {
        var (code, o, e) = await Support.Cli.RunAsync("serve", "--model-file", _dir.File("m.onnx", "x"), option, value);
        Assert.True(code == ExitCodes.UsageError, $"exit {code}: {o}{e}");
        Assert.Contains(expected, e, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", e, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_port_is_a_usage_error_naming_it()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var model = _dir.Bytes("model.onnx", OnnxModels.NearestCentroid(Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv")));
        var config = _dir.File("serve.yaml", "project: penguins\ntask: multiclass\nlabel: species\n");
        var (code, o, e) = await Support.Cli.RunAsync("serve", "--config", config, "--model-file", model, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertOneLine(ExitCodes.UsageError, (code, o, e), $"127.0.0.1:{port} is already in use");
    }
}
