using MlOps.Configuration;
using MlOps.Data;
using MlOps.Scoring;

namespace MlOps.Training;

/// <summary>Everything <c>mlops train</c> needs, resolved from mlops.yaml and flags.</summary>
public sealed record TrainOptions
{
    /// <summary>The project (model) name.</summary>
    public string Project { get; init; } = "model";

    /// <summary>The data, split into train/eval/test by <see cref="Split"/>.</summary>
    public required DatasetSource Data { get; init; }

    /// <summary>The task.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>The label column.</summary>
    public required string Label { get; init; }

    /// <summary>Binary: the positive label value.</summary>
    public string? PositiveClass { get; init; }

    /// <summary>A schema.json whose column types decide numeric versus text features.</summary>
    public string? SchemaPath { get; init; }

    /// <summary>The split rule.</summary>
    public SplitSettings Split { get; init; } = new();

    /// <summary>Trainer, hyperparameters, or command.</summary>
    public TrainSettings Settings { get; init; } = new();

    /// <summary>mlops.yaml model: how a command's ONNX model meets the data.</summary>
    public ModelSettings Model { get; init; } = new();

    /// <summary>Where model, run.json and report.md go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The config file used, for the run record.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The folder commands run in and git is asked about.</summary>
    public string WorkingDirectory { get; init; } = ".";

    /// <summary>Reads environment variables (the CI commit and branch when git has none); null: the process's.</summary>
    public Func<string, string?>? Environment { get; init; }
}
