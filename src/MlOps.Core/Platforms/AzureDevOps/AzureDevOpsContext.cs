namespace MlOps.Platforms.AzureDevOps;

/// <summary>Where an Azure Pipelines job runs, from the predefined variables the agent exports.</summary>
public sealed record AzureDevOpsContext(string CollectionUri, string Project, string RepositoryId, string? RepositoryName, int PullRequest)
{
    /// <summary>
    /// Reads <c>SYSTEM_COLLECTIONURI</c>, <c>SYSTEM_TEAMPROJECT</c>, <c>BUILD_REPOSITORY_ID</c> and
    /// <c>SYSTEM_PULLREQUEST_PULLREQUESTID</c>; null unless all are set (a pull-request build).
    /// </summary>
    public static AzureDevOpsContext? FromEnvironment(Func<string, string?> environment) =>
        environment("SYSTEM_COLLECTIONURI") is { Length: > 0 } collection
        && (environment("SYSTEM_TEAMPROJECTID") ?? environment("SYSTEM_TEAMPROJECT")) is { Length: > 0 } project
        && environment("BUILD_REPOSITORY_ID") is { Length: > 0 } repository
        && int.TryParse(environment("SYSTEM_PULLREQUEST_PULLREQUESTID"), out var pr)
            ? new AzureDevOpsContext(collection.EndsWith('/') ? collection : collection + "/", project, repository, environment("BUILD_REPOSITORY_NAME"), pr)
            : null;

    /// <summary>The threads endpoint of the pull request.</summary>
    public string ThreadsUrl => FormattableString.Invariant($"{CollectionUri}{Uri.EscapeDataString(Project)}/_apis/git/repositories/{Uri.EscapeDataString(RepositoryId)}/pullRequests/{PullRequest}/threads");

    /// <summary>A link to a thread in the web UI.</summary>
    public string ThreadLink(long thread) => FormattableString.Invariant($"{CollectionUri}{Uri.EscapeDataString(Project)}/_git/{Uri.EscapeDataString(RepositoryName ?? RepositoryId)}/pullrequest/{PullRequest}?discussionId={thread}");
}
