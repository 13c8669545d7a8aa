namespace MlOps.Training;

/// <summary>What <c>mlops train</c> produced.</summary>
/// <param name="ModelPath">The model file.</param>
/// <param name="RunRecordPath">run.json.</param>
/// <param name="Record">The run record's content.</param>
public sealed record TrainResult(string ModelPath, string RunRecordPath, RunRecord Record);
