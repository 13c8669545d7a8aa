using System.Globalization;
using MlOps.Benchmarks;

// The Bench target runs each section in its own process (so peak memory is the section's own):
//   dotnet run --project tests/MlOps.Benchmarks -- validate|train|evaluate [rows]
// Figures, not assertions.
var section = args.Length > 0 ? args[0] : "validate";
var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var dir = Path.Combine(Path.GetTempPath(), "mlops-bench");
Directory.CreateDirectory(dir);
Console.WriteLine($"mlops bench {section}: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
switch (section)
{
    case "validate": await ValidateBench.RunAsync(rows, dir); break;
    case "wide": await ValidateBench.WideAsync(dir); break;
    case "train": await TrainBench.RunAsync(rows, dir); break;
    case "trainonce": await TrainBench.OnceAsync(rows, dir); break; // one run in a fresh process, for train's repeated pairs
    case "trainwide": await TrainBench.WideAsync(dir); break;
    case "evaluate": await EvaluateBench.RunAsync(rows, dir); break;
    case "scoring": await EvaluateBench.RunAsync(rows, dir, scoringOnly: true); break; // the ONNX scoring figure of evaluate alone
    case "predict": await PredictBench.RunAsync(rows, dir); break;
    case "serve": await ServeBench.RunAsync(dir); break;
    default: Console.Error.WriteLine($"unknown section '{section}'; expected validate, wide, train, trainwide, evaluate, scoring, predict or serve."); return 2;
}

return 0;
