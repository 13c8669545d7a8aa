using MlOps.Scoring;

namespace MlOps.Deployment;

/// <summary>Everything <c>mlops deploy</c> needs, bound from flags and mlops.yaml.</summary>
public sealed record DeployOptions
{
    /// <summary>The model name.</summary>
    public required string Name { get; init; }

    /// <summary>The task (for the smoke test).</summary>
    public required ModelTask Task { get; init; }

    /// <summary>The version to deploy; null: from the release tag (v3 or NAME-v3), else the version in <see cref="From"/>.</summary>
    public string? Version { get; init; }

    /// <summary>The alias holding the blessed candidate.</summary>
    public string From { get; init; } = "staging";

    /// <summary>The alias to move.</summary>
    public string To { get; init; } = "production";

    /// <summary>The release tag, when a release runs the deploy.</summary>
    public string? ReleaseTag { get; init; }

    /// <summary>The mlops serve URLs (replicas) to reload and smoke-test, each of them; empty scores the model in-process.</summary>
    public IReadOnlyList<string> Servers { get; init; } = [];

    /// <summary>The admin token for the server's reload endpoint.</summary>
    public string? AdminToken { get; init; }

    /// <summary>The smoke-test cases.</summary>
    public IReadOnlyList<SmokeCase> SmokeCases { get; init; } = [];

    /// <summary>Regression: the largest accepted |prediction − expected|.</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>How long to wait for the server to serve the new version.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Compare the candidate with production on a share of live traffic before the switch; null switches at once.</summary>
    public CanaryOptions? Canary { get; init; }

    /// <summary>Deploy a version whose evaluation was not blessed.</summary>
    public bool Force { get; init; }

    /// <summary>The folder for deployment.json.</summary>
    public required string OutputDirectory { get; init; }
}

/// <summary>The deployment as recorded, and whether a failure was the server's or the registry's (exit 4) rather than the model's (exit 1).</summary>
public sealed record DeployResult(DeploymentRecord Record, bool ExternalFailure);
