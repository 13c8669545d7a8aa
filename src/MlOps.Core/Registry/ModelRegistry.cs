using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Artifacts;

namespace MlOps.Registry;

/// <summary>A file to register under an artifact name.</summary>
/// <param name="Name">The artifact name (model.zip, run.json, ...).</param>
/// <param name="Path">The local file.</param>
public sealed record ArtifactFile(string Name, string Path);

/// <summary>What to register: the artifacts and the manifest fields that are not computed.</summary>
public sealed record Registration
{
    /// <summary>The model name.</summary>
    public required string Name { get; init; }

    /// <summary>The artifact name of the model file.</summary>
    public required string ModelFile { get; init; }

    /// <summary>Every file to store.</summary>
    public required IReadOnlyList<ArtifactFile> Files { get; init; }

    /// <summary>The manifest template (version, time, artifacts are filled in).</summary>
    public required ModelVersion Manifest { get; init; }
}

/// <summary>
/// The model registry: immutable numbered versions whose artifacts are stored once by SHA-256,
/// aliases that move atomically with a history, over any <see cref="IRegistryStore"/>. Every
/// concurrent step is a conditional write retried on conflict, so racing pipelines never lose
/// an update or reuse a version number.
/// </summary>
public sealed class ModelRegistry(IRegistryStore store)
{
    private const int MaxAttempts = 200;

    /// <summary>The store.</summary>
    public IRegistryStore Store => store;

    /// <summary>Stores the artifacts and creates the next version.</summary>
    public async Task<ModelVersion> RegisterAsync(Registration registration, CancellationToken cancellationToken = default)
    {
        var name = RegistryNames.Model(registration.Name);
        var artifacts = new List<ArtifactRef>();
        foreach (var file in registration.Files)
        {
            var (sha, bytes) = await DataFingerprint.FileAsync(file.Path, cancellationToken);
            await store.UploadIfAbsentAsync(RegistryNames.BlobKey(sha), file.Path, cancellationToken);
            artifacts.Add(new ArtifactRef(file.Name, sha, bytes));
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var version = (await VersionsAsync(name, cancellationToken)).DefaultIfEmpty(0).Max() + 1;
            var manifest = registration.Manifest with { Name = name, Version = version, CreatedAt = DateTimeOffset.UtcNow, Artifacts = artifacts, ModelFile = registration.ModelFile };
            if (await store.TryCreateAsync(RegistryNames.VersionKey(name, version), Serialize(manifest), cancellationToken)) return manifest;
            await Backoff(attempt, cancellationToken);
        }

        throw new Errors.ExternalServiceException($"{store.Location}: could not allocate a version of '{name}' after {MaxAttempts} attempts; too many concurrent registrations.");
    }

    /// <summary>The version numbers of a model, ascending.</summary>
    public async Task<IReadOnlyList<int>> VersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        var prefix = RegistryNames.VersionsPrefix(name);
        var keys = await store.ListAsync(prefix, cancellationToken);
        return keys.Select(k => k[prefix.Length..]).Select(f => f.EndsWith(".json", StringComparison.Ordinal) && int.TryParse(f[..^5], out var v) ? v : 0).Where(v => v > 0).Order().ToList();
    }

    /// <summary>The model names in the registry.</summary>
    public async Task<IReadOnlyList<string>> ModelsAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync("models/", cancellationToken)).Select(k => k.Split('/')[1]).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>A version's manifest.</summary>
    /// <exception cref="Errors.ConfigException">No such version.</exception>
    public async Task<ModelVersion> GetAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        var stored = await store.ReadAsync(RegistryNames.VersionKey(name, version), cancellationToken)
            ?? throw Errors.Errors.Config("version", $"'{name}' has no version {version} in {store.Location}.");
        return Deserialize<ModelVersion>(stored.Content, RegistryNames.VersionKey(name, version));
    }

    /// <summary>The alias book (empty when no alias was ever set).</summary>
    public async Task<AliasBook> AliasesAsync(string name, CancellationToken cancellationToken = default)
    {
        var stored = await store.ReadAsync(RegistryNames.AliasesKey(name), cancellationToken);
        return stored is null ? new AliasBook() : Deserialize<AliasBook>(stored.Content, RegistryNames.AliasesKey(name));
    }

    /// <summary>Resolves "3", "v3" or an alias to a version number; null when the alias is unset.</summary>
    public async Task<int?> ResolveAsync(string name, string reference, CancellationToken cancellationToken = default)
    {
        var trimmed = reference.StartsWith('v') && int.TryParse(reference[1..], out var v) ? v : int.TryParse(reference, out var n) ? n : (int?)null;
        if (trimmed is { } number) return number;
        var book = await AliasesAsync(name, cancellationToken);
        return book.Aliases.TryGetValue(RegistryNames.Alias(reference), out var version) ? version : null;
    }

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, recording the move.</summary>
    public Task<AliasMove> PromoteAsync(string name, int version, string alias, string? reason = null, CancellationToken cancellationToken = default) =>
        MoveAsync(name, alias, "promote", reason, (_, _) => version, cancellationToken);

    /// <summary>Moves <paramref name="alias"/> back to the version it pointed at before its last move.</summary>
    public Task<AliasMove> RollbackAsync(string name, string alias, string? reason = null, CancellationToken cancellationToken = default) =>
        MoveAsync(name, alias, "rollback", reason, (book, current) =>
        {
            var last = book.History.LastOrDefault(m => m.Alias == alias && m.To == current);
            return last?.From ?? throw Errors.Errors.Config(alias, $"'{name}' alias '{alias}' has no earlier version to roll back to.");
        }, cancellationToken);

    private async Task<AliasMove> MoveAsync(string name, string alias, string action, string? reason, Func<AliasBook, int?, int> target, CancellationToken cancellationToken)
    {
        RegistryNames.Model(name);
        RegistryNames.Alias(alias);
        var key = RegistryNames.AliasesKey(name);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await store.ReadAsync(key, cancellationToken);
            var book = stored is null ? new AliasBook() : Deserialize<AliasBook>(stored.Content, key);
            int? from = book.Aliases.TryGetValue(alias, out var f) ? f : null;
            var to = target(book, from);
            await GetAsync(name, to, cancellationToken);
            var move = new AliasMove(alias, from, to, action, DateTimeOffset.UtcNow, Actor.Current(), reason);
            book.Aliases[alias] = to;
            book.History.Add(move);
            var bytes = Serialize(book);
            var written = stored is null ? await store.TryCreateAsync(key, bytes, cancellationToken) : await store.TryReplaceAsync(key, bytes, stored.ETag, cancellationToken);
            if (written) return move;
            await Backoff(attempt, cancellationToken);
        }

        throw new Errors.ExternalServiceException($"{store.Location}: could not move alias '{alias}' of '{name}' after {MaxAttempts} attempts; too many concurrent updates.");
    }

    /// <summary>Downloads a version's artifacts into <paramref name="directory"/>, verifying each SHA-256; returns the files by artifact name.</summary>
    /// <exception cref="Errors.DataException">A blob is missing, truncated or corrupted; nothing partial is left behind.</exception>
    public async Task<IReadOnlyDictionary<string, string>> PullAsync(ModelVersion version, string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var artifact in version.Artifacts)
        {
            var target = Path.Combine(directory, SafeFileName(artifact.Name));
            var key = RegistryNames.BlobKey(artifact.Sha256);
            await using var source = await store.OpenReadAsync(key, cancellationToken)
                ?? throw Errors.Errors.Data(store.UriOf(key), $"the blob of {artifact.Name} ({version.Name} v{version.Version}) is missing from the registry.");
            var temp = target + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long length = 0;
                await using (var output = File.Create(temp))
                {
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                        length += n;
                    }
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (actual != artifact.Sha256 || length != artifact.Bytes)
                {
                    throw Errors.Errors.Data(store.UriOf(key), $"{artifact.Name} of {version.Name} v{version.Version} is corrupted: expected SHA-256 {artifact.Sha256} ({artifact.Bytes} bytes), got {actual} ({length} bytes). Refusing to use it.");
                }

                File.Move(temp, target, overwrite: true);
                files[artifact.Name] = target;
            }
            finally
            {
                File.Delete(temp);
            }
        }

        return files;
    }

    private static string SafeFileName(string name) =>
        name.Length > 0 && name == Path.GetFileName(name) && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && name is not ("." or "..")
            ? name
            : throw Errors.Errors.Data("registry", $"artifact name '{name}' is not a plain file name.");

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, ArtifactJson.Options);

    private T Deserialize<T>(byte[] bytes, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ArtifactJson.Options) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw Errors.Errors.Data(store.UriOf(key), $"corrupted registry record ({e.Message.Split('\n')[0]}).");
        }
    }

    private static Task Backoff(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(Random.Shared.Next(1, 10 + (Math.Min(attempt, 8) * 10)), cancellationToken);
}
