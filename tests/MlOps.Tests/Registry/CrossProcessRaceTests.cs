using MlOps.Registry;
using MlOps.Tests.Support;

namespace MlOps.Tests.Registry;

/// <summary>Separate mlops processes registering into one local folder at once, as parallel CI jobs on one machine would.</summary>
[Trait("Category", "Integration")]
public class CrossProcessRaceTests
{
    [Fact]
    public async Task Concurrent_processes_get_distinct_consecutive_versions()
    {
        using var dir = new TempDir();
        const int n = 6;
        var mlops = Path.Combine(AppContext.BaseDirectory, "mlops.dll");
        var runs = Enumerable.Range(0, n).Select(i =>
        {
            var model = dir.File($"m{i}/model.onnx", $"weights {i}");
            return Processes.RunAsync("dotnet", [mlops, "register", "--model", model, "--force", "--reason", "race test", "--registry", dir.Combine("registry"), "--name", "race", "--alias", "production"], TimeSpan.FromMinutes(2), dir.Path);
        }).ToList();
        foreach (var (code, _, err) in await Task.WhenAll(runs)) Assert.True(code == 0, err);

        var registry = new ModelRegistry(new LocalFolderStore(dir.Combine("registry")));
        Assert.Equal(Enumerable.Range(1, n), await registry.VersionsAsync("race"));
        var weights = new HashSet<string>();
        for (var v = 1; v <= n; v++) weights.Add((await registry.GetAsync("race", v)).Artifacts[0].Sha256);
        Assert.Equal(n, weights.Count);
        var book = await registry.AliasesAsync("race");
        Assert.Equal(n, book.History.Count);
        for (var i = 1; i < n; i++) Assert.Equal(book.History[i - 1].To, book.History[i].From);
    }
}
