using MlOps.Cli;
using MlOps.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MlOps.Tests.Cli;

/// <summary>
/// The support matrix is true of the packages we build with, README shows it as it is, and a
/// missing library is explained from it. The build's Publish target checks every runtime's real
/// publish with the same <see cref="SupportMatrix.Check"/>; here the portable build the tests run
/// from carries every runtime's native folder.
/// </summary>
public sealed class SupportMatrixTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Runtimes() => [.. SupportMatrix.Runtimes.Select(r => r.Runtime)];

    [Theory]
    [MemberData(nameof(Runtimes))]
    public void The_build_has_exactly_the_native_libraries_the_matrix_says(string runtime)
    {
        var problems = SupportMatrix.Check(AppContext.BaseDirectory, runtime);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_check_names_a_promised_library_that_is_missing_and_one_the_matrix_does_not_know()
    {
        // A linux-arm64 publish with LightGBM (the matrix says there is none) and without ONNX Runtime (promised).
        _dir.File("lib_lightgbm.so", "x");
        var problems = SupportMatrix.Check(_dir.Path, "linux-arm64");
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("libonnxruntime.so is missing", StringComparison.Ordinal) && p.Contains("ONNX models", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("lib_lightgbm.so is there", StringComparison.Ordinal) && p.Contains("update src/MlOps.Cli/SupportMatrix.cs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("win-x64", "lib_lightgbm", "lib_lightgbm.dll")]
    [InlineData("linux-x64", "FastTreeNative", "libFastTreeNative.so")]
    [InlineData("osx-arm64", "onnxruntime", "libonnxruntime.dylib")]
    public void Library_files_are_named_the_way_each_os_spells_them(string runtime, string library, string file) =>
        Assert.Equal(file, SupportMatrix.Features.Single(f => f.Library == library).FileName(runtime));

    [Fact]
    public void Readme_shows_the_support_matrix_as_the_code_has_it()
    {
        var readme = File.ReadAllText(Path.Combine(Support.Cli.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        var matrix = SupportMatrix.Markdown();
        Assert.True(readme.Contains(matrix, StringComparison.Ordinal), "README's support matrix should read:\n" + matrix);
    }

    [Fact]
    public void Ci_runs_the_example_through_our_actions_on_every_runner_of_the_matrix()
    {
        var ci = YamlFiles.Load(Path.Combine(Support.Cli.RepoRoot, ".github", "workflows", "ci.yml"));
        var job = (YamlMappingNode)((YamlMappingNode)ci["jobs"])["platforms"];
        var include = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)job["strategy"])["matrix"])["include"];
        var rows = include.Cast<YamlMappingNode>().ToDictionary(r => r["os"].ToString(), r => r["trainer"].ToString());
        foreach (var (runtime, runner) in SupportMatrix.Runtimes)
        {
            Assert.True(rows.TryGetValue(runner, out var trainer), $"ci.yml runs nothing on {runner} ({runtime})");
            // The trainer each runner uses is one the matrix says works there.
            var feature = SupportMatrix.Features.FirstOrDefault(f => f.Name == $"trainer: {trainer}");
            Assert.True(feature is null || feature.Runtimes.Contains(runtime), $"ci.yml trains {trainer} on {runner}, which the matrix says has no {runtime} build");
        }

        var steps = ((YamlSequenceNode)job["steps"]).Cast<YamlMappingNode>()
            .Where(s => s.Children.ContainsKey(new YamlScalarNode("uses"))).Select(s => s["uses"].ToString()).ToList();
        Assert.Equal(["actions/checkout@v4", "./actions/setup", "./actions/validate-data", "./actions/train", "./actions/evaluate"], steps);
    }

    [Theory]
    [InlineData("Unable to load shared library 'lib_lightgbm' or one of its dependencies.", "osx-arm64", "trainer: lightgbm has no osx-arm64 build: use trainer: sdca or lbfgs, an osx-x64 build under Rosetta, or a runner with linux-x64, win-x64, osx-x64")]
    [InlineData("Unable to load shared library 'lib_lightgbm' or one of its dependencies.", "linux-arm64", "trainer: lightgbm has no linux-arm64 build: use trainer: sdca or lbfgs, or a runner with")]
    [InlineData("Unable to load shared library 'lib_lightgbm' or one of its dependencies.", "osx-x64", "trainer: lightgbm needs it and libomp (brew install libomp): reinstall mlops for osx-x64")]
    [InlineData("Unable to load DLL 'onnxruntime' or one of its dependencies", "osx-x64", "ONNX models (evaluate, predict, serve) has no osx-x64 build: use an ML.NET model (model.zip)")]
    [InlineData("Unable to load DLL 'FastTreeNative'", "win-x64", "trainer: fasttree needs it: reinstall mlops for win-x64, or use trainer: sdca or lbfgs")]
    public void A_missing_library_is_explained_from_the_matrix(string loader, string platform, string expected)
    {
        var line = NativeLibraries.Explain(loader, platform);
        Assert.StartsWith("the native library ", line, StringComparison.Ordinal);
        Assert.Contains($"is missing on {platform}; ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }
}
