using MlOps.Tests.Support;

namespace MlOps.Tests.Reporting;

/// <summary>A report covers one run: stage outputs that do not belong together are flagged first and fail the step.</summary>
public sealed class StageLineageTests
{
    private static string Example(string path) => Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", path);

    private static string Config(TempDir dir, string data = "data/current.csv") => dir.File("mlops.yaml", $$"""
        project: penguins
        task: multiclass
        label: species
        data: { path: {{Example(data)}} }
        split: { key: penguin_id }
        train: { seed: 1 }
        evaluate: { baseline: none, bootstrap: { resamples: 100 }, importance: { repeats: 0 } }
        """);

    private static async Task Run(params string[] args)
    {
        var (code, o, e) = await Support.Cli.RunAsync(args);
        Assert.True(code is 0 or 1, string.Join(' ', args) + "\n" + o + e);
    }

    private static Task<(int Code, string Out, string Err)> Report(TempDir dir, string config) =>
        Support.Cli.RunAsync("report", "--config", config, "--validation", dir.Combine("validation"), "--train", dir.Combine("train"), "--evaluation", dir.Combine("eval"), "--output", dir.Combine("report.md"), "--comment", "never");

    [Fact]
    public async Task Outputs_of_one_run_report_cleanly_and_a_model_trained_after_the_evaluation_is_flagged()
    {
        using var dir = new TempDir();
        var config = Config(dir);
        await Run("validate", "--config", config, "--output", dir.Combine("validation"));
        await Run("train", "--config", config, "--output", dir.Combine("train"));
        await Run("evaluate", "--config", config, "--model", dir.Combine("train"), "--output", dir.Combine("eval"));
        var (code, o, e) = await Report(dir, config);
        Assert.True(code == 0, o + e);
        Assert.DoesNotContain("different runs", File.ReadAllText(dir.Combine("report.md")), StringComparison.Ordinal);

        // Training again (another seed) without evaluating: the evaluation speaks for another model.
        File.WriteAllText(config, File.ReadAllText(config).Replace("seed: 1", "seed: 2", StringComparison.Ordinal));
        await Run("train", "--config", config, "--output", dir.Combine("train"));
        (code, o, e) = await Report(dir, config);
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("the stage outputs are not from one run: evaluation.json evaluated a model with sha256", e, StringComparison.Ordinal);
        var report = File.ReadAllText(dir.Combine("report.md"));
        Assert.Contains("## ⚠️ Stage outputs from different runs: this report cannot be trusted", report, StringComparison.Ordinal);
        Assert.DoesNotContain("✅ Blessed", report, StringComparison.Ordinal);
        Assert.Contains("NOT PASSED", o, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validation_of_other_data_than_training_read_is_flagged()
    {
        using var dir = new TempDir();
        var config = Config(dir);
        await Run("train", "--config", config, "--output", dir.Combine("train"));
        await Run("validate", "--config", Config(dir, "data/reference.csv"), "--output", dir.Combine("validation"));
        var (code, _, e) = await Support.Cli.RunAsync("report", "--config", config, "--validation", dir.Combine("validation"), "--train", dir.Combine("train"), "--evaluation", "none", "--output", dir.Combine("report.md"), "--comment", "never");
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("validation.json checked data", e, StringComparison.Ordinal);
        Assert.Contains("trained on data", File.ReadAllText(dir.Combine("report.md")), StringComparison.Ordinal);
    }
}
