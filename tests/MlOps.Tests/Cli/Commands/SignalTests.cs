using System.Diagnostics;
using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Commands;

/// <summary>SIGTERM and SIGINT as docker stop, Kubernetes and Ctrl+C send them, to a real mlops process.</summary>
[Trait("Category", "Integration")]
public sealed class SignalTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Process Start(params string[] args)
    {
        // SIGINT as a terminal delivers it: a shell starts background jobs (the test run itself, in
        // some CI) with SIGINT ignored, children inherit that, and .NET keeps an ignored SIGINT ignored.
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir.Path };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlops.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("CI");
        info.Environment.Remove("GITHUB_ACTIONS");
        info.Environment.Remove("TF_BUILD");
        return Process.Start(info)!;
    }

    private static async Task SignalAsync(Process process, string signal)
    {
        var (code, _, err) = await Processes.RunAsync("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, err);
    }

    private static async Task<string> WaitForLineAsync(StreamReader reader, string contains, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var seen = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cancel.Token) is { } line)
        {
            seen.AppendLine(line);
            if (line.Contains(contains, StringComparison.Ordinal)) return seen.ToString();
        }

        throw new InvalidOperationException($"never printed '{contains}':\n{seen}");
    }

    [Fact]
    public async Task Sigterm_stops_the_server_cleanly_with_exit_0()
    {
        var model = _dir.Bytes("model.onnx", OnnxModels.NearestCentroid(Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv")));
        var config = _dir.File("mlops.yaml", "project: penguins\ntask: multiclass\nlabel: species\n");
        using var server = Start("serve", "--config", config, "--model-file", model, "--port", "0", "--poll", "0");
        var stderr = server.StandardError.ReadToEndAsync();
        await WaitForLineAsync(server.StandardOutput, "Admin endpoints", TimeSpan.FromSeconds(60));
        await SignalAsync(server, "TERM");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.WaitForExitAsync(bound.Token);
        Assert.True(server.ExitCode == 0, $"exit {server.ExitCode}: {await stderr}");
        Assert.DoesNotContain("internal error", await stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_stops_a_long_command_with_one_line_and_the_signals_exit_code(string signal, int expected)
    {
        var config = _dir.File("mlops.yaml", $"task: multiclass\nlabel: species\ndata: {{ path: {Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "current.csv")} }}\ntrain: {{ command: 'echo started; sleep 60' }}\n");
        using var train = Start("train", "--config", config, "--output", _dir.Combine("out"));
        var stdout = train.StandardOutput.ReadToEndAsync();
        await WaitForLineAsync(train.StandardError, "started", TimeSpan.FromSeconds(60));
        await SignalAsync(train, signal);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await train.WaitForExitAsync(bound.Token);
        var err = await train.StandardError.ReadToEndAsync();
        Assert.True(train.ExitCode == expected, $"exit {train.ExitCode}: {await stdout}{err}");
        Assert.Contains("error: cancelled.", err, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", err, StringComparison.Ordinal);
        Assert.DoesNotContain("ObjectDisposedException", err, StringComparison.Ordinal);
    }
}
