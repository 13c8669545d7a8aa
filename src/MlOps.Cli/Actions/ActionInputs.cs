namespace MlOps.Cli.Actions;

/// <summary>How the runners pass inputs to <c>mlops action run</c>, and how they are read.</summary>
internal static class ActionInputs
{
    /// <summary>
    /// An input as runners pass it: GitHub container actions keep the hyphen (INPUT_PULL-REQUEST),
    /// our composite actions use an underscore, and the Azure agent passes the camelCase task name
    /// upper-cased (INPUT_PULLREQUEST). Empty means not given.
    /// </summary>
    internal static string? Read(Func<string, string?> env, ActionInput input)
    {
        foreach (var name in new[] { input.Name, input.Name.Replace('-', '_'), input.AzureName })
        {
            if (env("INPUT_" + name.ToUpperInvariant()) is { } v && v.Trim() is { Length: > 0 } trimmed) return trimmed;
        }

        return null;
    }

    /// <summary>A switch input: true, false or empty (false); anything else is a usage error naming the input.</summary>
    internal static bool ParseSwitch(ActionInput input, string value) => value.ToLowerInvariant() switch
    {
        "true" => true,
        "false" or "" => false,
        _ => throw Errors.Config($"input '{input.Name}'", $"expected true or false, got '{value}'."),
    };

    /// <summary>An argument as a shell would need it quoted, for the logged command line.</summary>
    internal static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=') ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
