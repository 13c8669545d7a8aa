using System.Diagnostics;
using System.Text.RegularExpressions;

// The MlOps.CI build: named targets with dependencies, in the spirit of Cake.Frosting (which the
// NuGet registry reachable here does not carry). Usage: dotnet run --project build -- <target>...
var root = FindRoot();
var configuration = Environment.GetEnvironmentVariable("CONFIGURATION") ?? "Release";
// VERSION=1.2.3 stamps the binaries, the tool package and (through the Actions target) the extension.
var version = Environment.GetEnvironmentVariable("VERSION") is { Length: > 0 } v ? $" -p:Version={v}" : string.Empty;
var targets = new Dictionary<string, Target>(StringComparer.OrdinalIgnoreCase);

void Define(string name, string description, string[] dependsOn, Func<Task> run) => targets[name] = new Target(name, description, dependsOn, run);

Define("Restore", "Restore NuGet packages.", [], () => Run("dotnet", "restore MlOps.CI.sln"));
Define("Build", "Build every project (warnings are errors).", ["Restore"], () => Run("dotnet", $"build MlOps.CI.sln -c {configuration} --no-restore{version}"));
Define("Format", "Check formatting with dotnet format.", ["Restore"], () => Run("dotnet", "format MlOps.CI.sln --verify-no-changes --no-restore"));
Define("Services", "Install with npm ci what the tests run: Azurite and Prism (GitHub's OpenAPI description) on 127.0.0.1, mermaid's parser, @action-validator/cli, tfx-cli, DuckDB.", [], async () =>
{
    var dir = Path.Combine(root, "tools", "test-services");
    if (File.Exists(Path.Combine(dir, "node_modules", ".bin", "azurite-blob")) && File.Exists(Path.Combine(dir, "node_modules", ".bin", "tfx")))
    {
        Console.WriteLine("Test services already installed.");
        return;
    }

    await Run(OperatingSystem.IsWindows() ? "npm.cmd" : "npm", $"ci --prefix \"{dir}\" --no-audit --no-fund");
});
Define("Test", "Run unit and integration tests (Azurite on 127.0.0.1 included); prints 'N passed, N failed'.", ["Build", "Services"], () => TestAsync(null));
Define("TestFast", "The inner loop: only the tests that need no service, server or child process (Category!=Integration); seconds, no npm.", ["Build"], () => TestAsync("Category!=Integration"));
Define("Bench", "Print throughput and peak memory: validate (stats + drift, 1M x 20, CSV and Parquet, against DuckDB SUMMARIZE of the same file), wide (50,000 columns x 3 rows: memory and stats.json size), train (LightGBM on 1M rows against scikit-learn, scoring, penguins quality per trainer), trainwide (2,000 rows x 2,000 and 10,000 columns: time and memory), evaluate (ONNX and ML.NET scoring of 1M rows, bootstrap cost, verdict rates), predict (batch inference of 1M CSV rows, ONNX and ML.NET), serve (requests/s, p50/p99 and overhead vs in-process scoring on loopback).", ["Build", "Services"], async () =>
{
    // One process per section, so each peak working set is the section's own.
    foreach (var section in new[] { "validate", "wide", "train", "trainwide", "evaluate", "predict", "serve" })
    {
        await Run("dotnet", $"run -c {configuration} --no-build --project tests/MlOps.Benchmarks -- {section}");
    }
});
Define("Example", "Run the main job on the embedded example: mlops run (validate, train, evaluate against production, report, register as staging), then promote staging to production in the local registry folder, then batch-score the data with production and monitor that traffic against production's training statistics and evaluation (reports under mlops-out/, predictions in mlops-out/predictions.csv, monitoring in mlops-out/monitoring/).", ["Build"], async () =>
{
    // The example's registry is a local folder: create it, so that on a CI runner too (where a
    // missing local registry is an error) evaluate sees an existing, empty registry and its
    // evaluate.first-model: allow applies to the first run.
    Directory.CreateDirectory(Path.Combine(root, "examples", "penguins", ".mlops", "registry"));
    // The batch traffic is logged and monitored against what production was trained and evaluated on.
    var predictionLog = Path.Combine(root, "mlops-out", "prediction-log.jsonl");
    if (File.Exists(predictionLog)) File.Delete(predictionLog); // each run monitors its own traffic
    foreach (var stage in new[] { "run", "promote staging --to production", "predict --prediction-log mlops-out/prediction-log.jsonl --log-sample 1", "monitor --log mlops-out/prediction-log.jsonl --alert none" })
    {
        await Run("dotnet", $"src/MlOps.Cli/bin/{configuration}/net10.0/mlops.dll {stage} --config examples/penguins/mlops.yaml");
    }
});
Define("Pack", "Pack the mlops dotnet tool into artifacts/packages.", ["Build"], () => Run("dotnet", $"pack src/MlOps.Cli -c {configuration} --no-build -o artifacts/packages{version}"));
Define("Publish", "Publish mlops for every runtime in the support matrix (self-contained, ReadyToRun; RUNTIMES=linux-x64,win-x64 for some), check each has exactly the native libraries src/MlOps.Cli/SupportMatrix.cs says, and pack artifacts/release/mlops-VERSION-RUNTIME.tar.gz with SHA256SUMS: what released actions and Azure tasks download.", ["Restore"], () =>
    PublishAsync(Environment.GetEnvironmentVariable("RUNTIMES") is { Length: > 0 } only ? only.Split(',', StringSplitOptions.TrimEntries) : [.. MlOps.Cli.SupportMatrix.Runtimes.Select(r => r.Runtime)]));
Define("Actions", "Write actions/*/action.yml and the Azure DevOps extension (actions/azure-devops) from the stage catalog in src/MlOps.Cli/Actions; the tests fail when the committed files differ. For a release, RELEASE_URL=<the release's download URL> also writes actions/release.env and tasks that run the archives in artifacts/release (from Publish).", ["Build"], () =>
    Run("dotnet", $"src/MlOps.Cli/bin/{configuration}/net10.0/mlops.dll action write --github actions --azure actions/azure-devops" + (Environment.GetEnvironmentVariable("RELEASE_URL") is { Length: > 0 } url ? $" --release \"{url}\" --checksums artifacts/release/SHA256SUMS" : string.Empty)));
Define("PackExtension", "Package the Azure DevOps extension (one task per stage) with tfx-cli into artifacts/extension.", ["Services"], () =>
    Run(Path.Combine(root, "tools", "test-services", "node_modules", ".bin", OperatingSystem.IsWindows() ? "tfx.cmd" : "tfx"),
        "extension create --root actions/azure-devops --manifest-globs vss-extension.json --output-path artifacts/extension --no-prompt"));
Define("Default", "Build and test.", ["Test"], () => Task.CompletedTask);

var requested = args.Length == 0 ? ["Default"] : args;
if (requested.Any(a => a is "--help" or "-h" or "help"))
{
    Console.WriteLine("Targets:");
    foreach (var t in targets.Values) Console.WriteLine($"  {t.Name,-13} {t.Description}{(t.DependsOn.Length > 0 ? $" (after {string.Join(", ", t.DependsOn)})" : "")}");
    return 0;
}

var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
try
{
    foreach (var name in requested) await RunTarget(name);
    return 0;
}
catch (BuildFailed e)
{
    Console.Error.WriteLine($"build failed: {e.Message}");
    return 1;
}

async Task RunTarget(string name)
{
    if (!targets.TryGetValue(name, out var target)) throw new BuildFailed($"unknown target '{name}'; run with --help to list targets.");
    if (!done.Add(target.Name)) return;
    foreach (var dep in target.DependsOn) await RunTarget(dep);
    Console.WriteLine($"==> {target.Name}");
    var sw = Stopwatch.StartNew();
    await target.Run();
    Console.WriteLine($"<== {target.Name} ({sw.Elapsed.TotalSeconds:0.0}s)");
}

async Task TestAsync(string? filter)
{
    var results = Path.Combine(root, "artifacts", "test-results");
    if (Directory.Exists(results)) Directory.Delete(results, recursive: true);
    var only = filter is null ? string.Empty : $" --filter \"{filter}\"";
    var code = await RunCode("dotnet", $"test tests/MlOps.Tests -c {configuration} --no-build{only} --logger \"trx;LogFileName=tests.trx\" --results-directory \"{results}\"");
    int passed = 0, failed = 0, skipped = 0;
    foreach (var trx in Directory.Exists(results) ? Directory.GetFiles(results, "*.trx", SearchOption.AllDirectories) : [])
    {
        var counters = Regex.Match(File.ReadAllText(trx), "<Counters [^>]*>");
        int Get(string attr) => int.Parse(Regex.Match(counters.Value, attr + "=\"(\\d+)\"").Groups[1].Value);
        passed += Get("passed");
        failed += Get("failed");
        skipped += Get("notExecuted");
    }

    Console.WriteLine($"Tests: {passed} passed, {failed} failed, {skipped} skipped");
    if (code != 0 || failed > 0 || passed == 0) throw new BuildFailed(passed == 0 ? "no tests ran." : "tests failed.");
}

async Task PublishAsync(string[] runtimes)
{
    var release = Path.Combine(root, "artifacts", "release");
    if (Directory.Exists(release)) Directory.Delete(release, recursive: true);
    Directory.CreateDirectory(release);
    var number = Environment.GetEnvironmentVariable("VERSION") is { Length: > 0 } given ? given : Regex.Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
    var sums = new List<string>();
    foreach (var runtime in runtimes)
    {
        if (!MlOps.Cli.SupportMatrix.Runtimes.Any(r => r.Runtime == runtime)) throw new BuildFailed($"RUNTIMES: '{runtime}' is not in the support matrix ({string.Join(", ", MlOps.Cli.SupportMatrix.Runtimes.Select(r => r.Runtime))}).");
        var folder = Path.Combine(root, "artifacts", "publish", runtime);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        // Its own obj and bin (--artifacts-path): never mixed with the build the tests and the IDE use.
        await Run("dotnet", $"publish src/MlOps.Cli -c {configuration}{version} -r {runtime} --self-contained -p:PublishReadyToRun=true -p:TreatWarningsAsErrors=false --artifacts-path artifacts/build -o \"{folder}\" --nologo -v quiet");
        var problems = MlOps.Cli.SupportMatrix.Check(folder, runtime);
        if (problems.Count > 0) throw new BuildFailed(string.Join(Environment.NewLine, problems));
        var archive = Path.Combine(release, $"mlops-{number}-{runtime}.tar.gz");
        await using (var file = File.Create(archive))
        await using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Optimal))
        {
            // Files at the top, Unix modes kept: mlops is executable once extracted.
            await System.Formats.Tar.TarFile.CreateFromDirectoryAsync(folder, gzip, includeBaseDirectory: false);
        }

        await using var read = File.OpenRead(archive);
        var hash = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(read));
        sums.Add($"{hash}  {Path.GetFileName(archive)}");
        Console.WriteLine($"{runtime}: native libraries as the support matrix says; {Path.GetFileName(archive)} {new FileInfo(archive).Length / 1048576.0:0.0} MB");
    }

    // The format sha256sum -c reads; `mlops action write --release` bakes these into the actions and tasks.
    await File.WriteAllTextAsync(Path.Combine(release, "SHA256SUMS"), string.Join("\n", sums) + "\n");
}

async Task Run(string file, string arguments)
{
    var code = await RunCode(file, arguments);
    if (code != 0) throw new BuildFailed($"'{file} {arguments}' exited with {code}.");
}

async Task<int> RunCode(string file, string arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = root, UseShellExecute = false })
        ?? throw new BuildFailed($"cannot start {file}.");
    await process.WaitForExitAsync();
    return process.ExitCode;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlOps.CI.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("run the build from inside the repository.");
}

internal sealed record Target(string Name, string Description, string[] DependsOn, Func<Task> Run);

internal sealed class BuildFailed(string message) : Exception(message);
