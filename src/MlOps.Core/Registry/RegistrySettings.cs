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
    /// <exception cref="ConfigException">Azure settings are incomplete or the named variable is empty.</exception>
    /// <param name="environment">Reads the variables named by connection-string-env and container-url-env (default: the process's).</param>
    public IRegistryStore Open(Func<string, string?>? environment = null)
    {
        var env = environment ?? ProcessEnvironment.Read;
        if (!IsAzure)
        {
            if (File.Exists(Path)) throw Errors.Config("registry.path", $"'{Path}' is a file, not a registry folder.");
            return new LocalFolderStore(Path);
        }

        var options = AzureBlobStore.Options();
        if (ContainerUrlEnv is { } urlEnv)
        {
            var url = env(urlEnv);
            if (string.IsNullOrEmpty(url)) throw Errors.Config("registry.azure.container-url-env", $"the environment variable {urlEnv} is empty; set it to the container URL with a SAS token.");

            // Never echo the value: it carries the SAS signature.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.AbsolutePath.Trim('/').Length == 0)
            {
                throw Errors.Config("registry.azure.container-url-env", $"the environment variable {urlEnv} does not hold a container URL (https://ACCOUNT.blob.core.windows.net/CONTAINER?SAS).");
            }

            return new AzureBlobStore(new BlobContainerClient(uri, options));
        }

        var container = Container ?? throw Errors.Config("registry.azure.container", "is required.");
        if (ConnectionStringEnv is { } csEnv)
        {
            var cs = env(csEnv);
            if (string.IsNullOrEmpty(cs)) throw Errors.Config("registry.azure.connection-string-env", $"the environment variable {csEnv} is empty.");
            try
            {
                return new AzureBlobStore(new BlobContainerClient(cs, container, options));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                // Never echo the value: it carries the account key.
                throw Errors.Config("registry.azure.connection-string-env", $"the environment variable {csEnv} does not hold a valid Azure Storage connection string ({e.GetType().Name}); expected DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net.");
            }
        }

        var account = AccountUrl ?? throw Errors.Config("registry.azure", "set account-url (for DefaultAzureCredential / OIDC), connection-string-env, or container-url-env.");
        if (!Uri.TryCreate($"{account.TrimEnd('/')}/{container}", UriKind.Absolute, out var accountUri) || accountUri.Scheme is not ("https" or "http"))
        {
            throw Errors.Config("registry.azure.account-url", $"'{account}' is not an account URL (https://ACCOUNT.blob.core.windows.net).");
        }

        return new AzureBlobStore(new BlobContainerClient(accountUri, new DefaultAzureCredential(), options));
    }
}
