using Azure.Identity;
using Azure.Storage.Blobs;

namespace MlOps.Registry;

/// <summary>registry: in mlops.yaml — a local folder (default) or an Azure Blob Storage container.</summary>
public sealed record RegistrySettings
{
    /// <summary>The default local folder.</summary>
    public const string DefaultPath = ".mlops/registry";

    /// <summary>The local folder (when no Azure settings are given).</summary>
    public string Path { get; init; } = DefaultPath;

    /// <summary>Azure: the container name.</summary>
    public string? Container { get; init; }

    /// <summary>Azure: the environment variable holding a connection string.</summary>
    public string? ConnectionStringEnv { get; init; }

    /// <summary>Azure: the environment variable holding a container URL with a SAS token.</summary>
    public string? ContainerUrlEnv { get; init; }

    /// <summary>Azure: the account URL for DefaultAzureCredential (OIDC in GitHub Actions, managed identity).</summary>
    public string? AccountUrl { get; init; }

    /// <summary>True when the registry is in Azure.</summary>
    public bool IsAzure => Container is not null || ContainerUrlEnv is not null;

    /// <summary>Opens the store.</summary>
    /// <exception cref="Errors.ConfigException">Azure settings are incomplete or the named variable is empty.</exception>
    public IRegistryStore Open()
    {
        if (!IsAzure) return new LocalFolderStore(Path);
        var options = AzureBlobStore.Options();
        if (ContainerUrlEnv is { } urlEnv)
        {
            var url = Environment.GetEnvironmentVariable(urlEnv);
            if (string.IsNullOrEmpty(url)) throw Errors.Errors.Config("registry.azure.container-url-env", $"the environment variable {urlEnv} is empty; set it to the container URL with a SAS token.");
            return new AzureBlobStore(new BlobContainerClient(new Uri(url), options));
        }

        var container = Container ?? throw Errors.Errors.Config("registry.azure.container", "is required.");
        if (ConnectionStringEnv is { } csEnv)
        {
            var cs = Environment.GetEnvironmentVariable(csEnv);
            if (string.IsNullOrEmpty(cs)) throw Errors.Errors.Config("registry.azure.connection-string-env", $"the environment variable {csEnv} is empty.");
            return new AzureBlobStore(new BlobContainerClient(cs, container, options));
        }

        var account = AccountUrl ?? throw Errors.Errors.Config("registry.azure", "set account-url (for DefaultAzureCredential / OIDC), connection-string-env, or container-url-env.");
        return new AzureBlobStore(new BlobContainerClient(new Uri($"{account.TrimEnd('/')}/{container}"), new DefaultAzureCredential(), options));
    }
}
