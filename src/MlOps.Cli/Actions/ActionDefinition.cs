using System.Text.Json;

namespace MlOps.Cli.Actions;

/// <summary>What a stage's run left behind, from which the action's outputs are read.</summary>
/// <param name="ExitCode">The stage's exit code.</param>
/// <param name="Json">The stage's <c>--json</c> result, when it printed one.</param>
/// <param name="Inputs">The resolved inputs by name.</param>
public sealed record ActionResult(int ExitCode, JsonElement? Json, IReadOnlyDictionary<string, string> Inputs)
{
    /// <summary>A string or number from the JSON result, or null.</summary>
    public string? FromJson(string property) =>
        Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty(property, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => v.GetRawText(),
            }
            : null;

    /// <summary>A path under the folder given by an input.</summary>
    public string Under(string input, string file) => Path.Combine(Inputs[input], file);

    /// <summary>"true" when the stage exited 0.</summary>
    public string Succeeded => ExitCode == 0 ? "true" : "false";
}

/// <summary>
/// One stage as a GitHub action and an Azure Pipelines task: the single description both are
/// written from (<c>mlops action write</c>) and run through (<c>mlops action run</c>), so the two
/// cannot drift apart.
/// </summary>
public sealed record ActionDefinition
{
    /// <summary>The action's folder name (<c>validate-data</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The display name (<c>Validate data</c>).</summary>
    public required string Title { get; init; }

    /// <summary>One sentence on what it does.</summary>
    public required string Description { get; init; }

    /// <summary>The mlops command line before the inputs (<c>train --json</c>).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The inputs, in the order users read them.</summary>
    public required IReadOnlyList<ActionInput> Inputs { get; init; }

    /// <summary>The outputs, in the order users read them.</summary>
    public required IReadOnlyList<ActionOutput> Outputs { get; init; }

    /// <summary>Reads the outputs after the run; null when the command sets its own (report).</summary>
    public Func<ActionResult, IEnumerable<KeyValuePair<string, string?>>>? ReadOutputs { get; init; }

    /// <summary>The input naming the folder whose report.md goes to the job summary, if any.</summary>
    public string? SummaryFolder { get; init; }

    /// <summary>The Azure task's id: fixed forever, since pipelines refer to tasks by it.</summary>
    public required Guid AzureTaskId { get; init; }

    /// <summary>The Azure task's name (<c>MlOpsTrain</c>).</summary>
    public string AzureTaskName => "MlOps" + char.ToUpperInvariant(Name[0]) + MlOps.Platforms.AzurePipelines.VariableName(Name)[1..];

    /// <summary>The inputs a host has.</summary>
    public IEnumerable<ActionInput> InputsFor(ActionHosts host) => Inputs.Where(i => i.Hosts.HasFlag(host));

    /// <summary>The outputs a host has.</summary>
    public IEnumerable<ActionOutput> OutputsFor(ActionHosts host) => Outputs.Where(o => o.Hosts.HasFlag(host));
}
