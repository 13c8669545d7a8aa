namespace MlOps.Cli.Actions;

/// <summary>How an action input reaches the mlops command it runs.</summary>
public enum InputUse
{
    /// <summary>A non-empty value becomes <c>FLAG VALUE</c>.</summary>
    Value,

    /// <summary><c>true</c> adds <c>FLAG</c>; <c>false</c> or empty adds nothing; anything else is an error.</summary>
    Switch,

    /// <summary>A folder that exists becomes <c>FLAG VALUE</c>; a missing one is a stage that did not run.</summary>
    FolderIfPresent,

    /// <summary>A non-empty value is set as the environment variable named by <see cref="ActionInput.Target"/> (secrets stay out of the command line).</summary>
    Environment,
}

/// <summary>Where an input or output exists: GitHub Actions, Azure Pipelines, or both.</summary>
[Flags]
public enum ActionHosts
{
    /// <summary>A GitHub action.</summary>
    GitHub = 1,

    /// <summary>An Azure Pipelines task.</summary>
    Azure = 2,

    /// <summary>Both.</summary>
    Both = GitHub | Azure,
}

/// <summary>
/// One input of an action or task. Its name is kebab-case (<c>pull-request</c>); the Azure task
/// names it in camelCase (<c>pullRequest</c>). Runners pass inputs as <c>INPUT_NAME</c> variables.
/// </summary>
/// <param name="Name">The input's name in action.yml.</param>
/// <param name="Description">What it means, in the user's words.</param>
/// <param name="Default">The default value ("" for none).</param>
/// <param name="Use">How it reaches the command.</param>
/// <param name="Target">The flag (<c>--data</c>) or, for <see cref="InputUse.Environment"/>, the variable.</param>
public sealed record ActionInput(string Name, string Description, string Default, InputUse Use, string Target)
{
    /// <summary>Where the input exists.</summary>
    public ActionHosts Hosts { get; init; } = ActionHosts.Both;

    /// <summary>Allowed values (a pick list in the Azure task), when the input is one of a few words.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>A secret: masked in logs, a password field in the task editor.</summary>
    public bool Secret { get; init; }

    /// <summary>The Azure task's visibility rule (<c>comment != never</c>), when the input only matters with another.</summary>
    public string? VisibleWhen { get; init; }

    /// <summary>The input's group in the Azure task editor (<c>advanced</c>), or null for the main group.</summary>
    public string? Group { get; init; }

    /// <summary>The action.yml default when it differs from <see cref="Default"/> (an expression such as <c>${{ github.token }}</c>).</summary>
    public string? GitHubDefault { get; init; }

    /// <summary>The input's name in an Azure task: camelCase.</summary>
    public string AzureName => MlOps.Platforms.AzurePipelines.VariableName(Name);
}

/// <summary>One output of an action or task.</summary>
/// <param name="Name">The output's name in action.yml (kebab-case; the Azure task's variable is camelCase).</param>
/// <param name="Description">What it holds.</param>
public sealed record ActionOutput(string Name, string Description)
{
    /// <summary>Where the output exists.</summary>
    public ActionHosts Hosts { get; init; } = ActionHosts.Both;

    /// <summary>The output variable's name in an Azure task: camelCase.</summary>
    public string AzureName => MlOps.Platforms.AzurePipelines.VariableName(Name);
}

