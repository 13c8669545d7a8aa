namespace MlOps.Registration;

/// <summary>Everything <c>mlops register</c> needs: which model, which evaluation blesses it, and how to record it.</summary>
public sealed record RegisterOptions
{
    /// <summary>The model name in the registry.</summary>
    public required string Name { get; init; }

    /// <summary>The training output folder or model file.</summary>
    public required string Model { get; init; }

    /// <summary>The evaluation.json that blesses it (may not exist when <see cref="Force"/> is set).</summary>
    public required string Evaluation { get; init; }

    /// <summary>The validation folder whose schema.json and stats.json go with the model, when present.</summary>
    public string? Validation { get; init; }

    /// <summary>Register even without a blessed evaluation; needs <see cref="Reason"/>.</summary>
    public bool Force { get; init; }

    /// <summary>Why (recorded with <see cref="Force"/>, and in the alias history).</summary>
    public string? Reason { get; init; }

    /// <summary>An alias (e.g. staging) to point at the new version.</summary>
    public string? Alias { get; init; }

    /// <summary>Tags recorded in the manifest.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>What register did: the new version, or why the evaluation did not allow one.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Version">The new version's manifest; null when not blessed.</param>
/// <param name="Uri">The version's URI in the registry; null when not blessed.</param>
/// <param name="Alias">The alias moved to it, if any.</param>
/// <param name="NotBlessed">The evaluation's reasons when it did not bless the model (then nothing was registered).</param>
public sealed record RegisterResult(string Name, Registry.ModelVersion? Version, string? Uri, string? Alias, IReadOnlyList<string> NotBlessed)
{
    /// <summary>True when a version was registered.</summary>
    public bool Registered => Version is not null;
}
