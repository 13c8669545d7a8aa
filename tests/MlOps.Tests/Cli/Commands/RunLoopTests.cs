using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Commands;

/// <summary>mlops run as a user runs it: a separate process in a project folder, on the embedded defaults.</summary>
[Trait("Category", "Integration")]
public sealed class RunLoopTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string CopyExample(string dataPath) => Examples.CopyPenguins(_dir.Path, dataPath);

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "mlops.dll"), .. args], TimeSpan.FromMinutes(3), _dir.Path, info =>
        {
            info.Environment.Remove("GITHUB_ACTIONS");
            info.Environment.Remove("TF_BUILD");
            info.Environment.Remove("CI");
        });

    [Fact]
    public async Task The_whole_loop_validates_trains_evaluates_reports_and_registers_as_staging()
    {
        CopyExample("data/current.csv");
        var (code, stdout, stderr) = await RunAsync("run");
        Assert.True(code == 0, stdout + stderr);
        foreach (var stage in new[] { "validate", "train", "evaluate", "report", "register" }) Assert.Contains($"── mlops {stage}", stderr);
        Assert.Contains("does not exist yet (evaluate.first-model: allow)", File.ReadAllText(_dir.Combine("mlops-out/report.md")));
        Assert.Contains("Registered penguins version 1 as staging", stdout);
        Assert.True(File.Exists(_dir.Combine(".mlops/registry/models/penguins/versions/1.json")));
    }

    [Fact]
    public async Task A_failed_data_gate_stops_the_loop_with_the_report_written_and_nothing_registered()
    {
        CopyExample("data/planted/current.csv");
        // Outputs of an earlier run must not leak into this run's report.
        await StageArtifacts.WriteEvaluationAsync(_dir.Combine("mlops-out/evaluation"), StageArtifacts.Evaluation(blessed: true));
        var (code, stdout, stderr) = await RunAsync("run");
        Assert.Equal(1, code);
        Assert.Contains("STOPPED: data validation failed; see mlops-out/report.md.", stdout);
        Assert.DoesNotContain("── mlops train", stderr);
        Assert.Contains("## ❌ Data validation failed", File.ReadAllText(_dir.Combine("mlops-out/report.md")));
        Assert.False(Directory.Exists(_dir.Combine(".mlops/registry/models")));

        // The stale evaluation is gone, not merely skipped: a later report or register cannot pick it up.
        Assert.Contains("cleared 1 stage outputs of an earlier run", stderr);
        Assert.False(File.Exists(_dir.Combine("mlops-out/evaluation/evaluation.json")));
    }
}
