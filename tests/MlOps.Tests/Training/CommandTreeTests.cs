using System.Diagnostics;
using MlOps.Tests.Support;
using MlOps.Training;

namespace MlOps.Tests.Training;

/// <summary>A training command's processes never outlive the step: background children, children that left the group, timeouts.</summary>
[Trait("Category", "Integration")]
public class CommandTreeTests
{
    private static bool Alive(string pidFile)
    {
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_command_that_exits_0_with_a_background_child_holding_its_output_is_a_success_and_the_child_is_stopped()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPytorch(dir.Path);
        var watch = Stopwatch.StartNew();
        var (code, o, e) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("train"),
            "--command", "sleep 60 & echo $! > bg.pid; cp model.onnx \"$MLOPS_OUTPUT_DIR/\"; echo trained");
        Assert.True(code == 0, o + e);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Contains("stopped 1 process(es) the command left running", e, StringComparison.Ordinal);
        Assert.False(Alive(dir.Combine("bg.pid")), "the background sleep outlived the step");
    }

    [Fact]
    public async Task A_timeout_stops_children_that_left_the_process_group()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPytorch(dir.Path);
        File.WriteAllText(config, File.ReadAllText(config).Replace("timeout: 30m", "timeout: 2s", StringComparison.Ordinal));
        var (code, _, e) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("train"),
            "--command", "setsid sh -c 'echo $$ > escaped.pid; exec sleep 60' & sleep 60");
        Assert.Equal(CommandRunner.TimeoutExitCode, code);
        Assert.Contains("ran longer than its timeout (2s)", e, StringComparison.Ordinal);
        for (var i = 0; i < 50 && !File.Exists(dir.Combine("escaped.pid")); i++) await Task.Delay(20);
        Assert.False(Alive(dir.Combine("escaped.pid")), "the setsid child outlived the timeout");
    }
}
