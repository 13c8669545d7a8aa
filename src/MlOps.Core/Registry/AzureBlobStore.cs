using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace MlOps.Registry;

/// <summary>
/// The registry in an Azure Blob Storage container. Conditional writes map to HTTP preconditions:
/// create = If-None-Match: *, replace = If-Match: the ETag read. The SDK retries transient
/// failures (5xx, timeouts) with exponential backoff; what still fails is an exit-4 error that
/// names the operation and status, never a credential.
/// </summary>
public sealed class AzureBlobStore : IRegistryStore
{
    private readonly BlobContainerClient _container;
    private bool _ensured;

    /// <summary>Wraps a container client (connection string, SAS URL, or token credential).</summary>
    public AzureBlobStore(BlobContainerClient container) => _container = container;

    /// <summary>Client options: bounded retries and timeouts so a dead endpoint fails in seconds, not minutes.</summary>
    public static BlobClientOptions Options() => new()
    {
        Retry = { MaxRetries = 3, Mode = RetryMode.Exponential, Delay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(5), NetworkTimeout = TimeSpan.FromSeconds(30) },
    };

    /// <inheritdoc/>
    public string Location => $"{_container.Uri.GetLeftPart(UriPartial.Path)}";

    /// <inheritdoc/>
    public string UriOf(string key) => $"{Location.TrimEnd('/')}/{key}";

    /// <inheritdoc/>
    public async Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _container.GetBlobClient(key).DownloadContentAsync(cancellationToken);
            return new StoredObject(response.Value.Content.ToArray(), response.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw Fail("read", key, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("read", key, e);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> TryCreateAsync(string key, byte[] content, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        try
        {
            await _container.GetBlobClient(key).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
        catch (RequestFailedException e)
        {
            throw Fail("create", key, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("create", key, e);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> TryReplaceAsync(string key, byte[] content, string etag, CancellationToken cancellationToken = default)
    {
        try
        {
            await _container.GetBlobClient(key).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 409 or 404)
        {
            return false;
        }
        catch (RequestFailedException e)
        {
            throw Fail("update", key, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("update", key, e);
        }
    }

    /// <inheritdoc/>
    public async Task UploadIfAbsentAsync(string key, string file, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        try
        {
            await using var stream = File.OpenRead(file);
            await _container.GetBlobClient(key).UploadAsync(stream, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Content-addressed: an existing blob under this key holds the same bytes (verified on
            // pull). Touch it, so a concurrent 'mlops gc' sees it as new and keeps it for this version.
            await _container.GetBlobClient(key).SetMetadataAsync(new Dictionary<string, string> { ["mlops"] = "referenced" }, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e)
        {
            throw Fail("upload", key, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("upload", key, e);
        }
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _container.GetBlobClient(key).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return response.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw Fail("download", key, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("download", key, e);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        (await ListEntriesAsync(prefix, cancellationToken)).Select(e => e.Key).ToList();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredEntry>> ListEntriesAsync(string prefix, CancellationToken cancellationToken = default)
    {
        try
        {
            var entries = new List<StoredEntry>();
            await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
            {
                entries.Add(new StoredEntry(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue));
            }

            return entries;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
        catch (RequestFailedException e)
        {
            throw Fail("list", prefix, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("list", prefix, e);
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            await _container.GetBlobClient(key).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e)
        {
            throw Fail("delete", key, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("delete", key, e);
        }
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_ensured) return;
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            // A SAS scoped to blobs may not create containers; the container then must exist already.
        }
        catch (RequestFailedException e)
        {
            throw Fail("create container", _container.Name, e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or MlOpsException or RequestFailedException))
        {
            throw Fail("create container", _container.Name, e);
        }

        _ensured = true;
    }

    // The SDK reports a failure after retries as an AggregateException of the attempts.
    private ExternalServiceException Fail(string operation, string key, Exception e)
    {
        var last = e is AggregateException a ? a.InnerExceptions.OfType<RequestFailedException>().LastOrDefault() : e as RequestFailedException;
        var what = last is null ? $"an unreadable reply ({e.GetType().Name})"
            : last.Status == 0 ? $"no response ({last.Message.Split('\n')[0]})"
            : $"HTTP {last.Status} {last.ErrorCode}".TrimEnd();
        return new($"Azure Blob Storage {Location}: {operation} '{key}' failed after retries: {what}.", e);
    }
}
