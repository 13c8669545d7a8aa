namespace MlOps.Registry;

/// <summary>A small object and its version tag (an HTTP ETag on Azure, a content hash locally).</summary>
/// <param name="Content">The bytes.</param>
/// <param name="ETag">The version tag to pass to <see cref="IRegistryStore.TryReplaceAsync"/>.</param>
public sealed record StoredObject(byte[] Content, string ETag);

/// <summary>A stored key with its size and last write, for garbage collection.</summary>
/// <param name="Key">The key.</param>
/// <param name="Bytes">The size.</param>
/// <param name="Modified">When it was last written.</param>
public sealed record StoredEntry(string Key, long Bytes, DateTimeOffset Modified);

/// <summary>
/// Where the registry keeps its objects, with the two conditional writes it needs for safety
/// under concurrency: create-if-absent and replace-if-unchanged. Keys are slash-separated
/// names already validated by <see cref="RegistryNames"/>.
/// </summary>
public interface IRegistryStore
{
    /// <summary>Where the registry is, for messages and model URIs (never with secrets).</summary>
    string Location { get; }

    /// <summary>The URI of a key, for model-uri outputs.</summary>
    string UriOf(string key);

    /// <summary>Reads a small object; null when absent.</summary>
    Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Creates the object only if absent (If-None-Match: *); false when it already exists.</summary>
    Task<bool> TryCreateAsync(string key, byte[] content, CancellationToken cancellationToken = default);

    /// <summary>Replaces the object only if unchanged since read (If-Match); false when someone else changed it.</summary>
    Task<bool> TryReplaceAsync(string key, byte[] content, string etag, CancellationToken cancellationToken = default);

    /// <summary>Stores a large object from a file unless the key exists (content-addressed keys make that safe).</summary>
    Task UploadIfAbsentAsync(string key, string file, CancellationToken cancellationToken = default);

    /// <summary>Opens a large object for reading; null when absent.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Keys under a prefix.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Keys under a prefix with size and last write, including the leftovers of interrupted writes where the store has any.</summary>
    Task<IReadOnlyList<StoredEntry>> ListEntriesAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object (or an interrupted write's leftover); nothing happens when it is absent.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
