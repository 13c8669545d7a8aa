using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Artifacts;

namespace MlOps.Registry;

/// <summary>A file to register under an artifact name.</summary>
/// <param name="Name">The artifact name (model.zip, run.json, ...).</param>
/// <param name="Path">The local file.</param>
public sealed record ArtifactFile(string Name, string Path);

/// <summary>A version to register: the artifacts and the manifest fields that are not computed.</summary>
public sealed record NewVersion
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

/// <summary>What <see cref="ModelRegistry.CollectGarbageAsync"/> found and removed.</summary>
/// <param name="Versions">Versions whose artifacts were kept.</param>
/// <param name="Referenced">Blobs those versions reference.</param>
/// <param name="Removed">Objects removed (or that would be, on a dry run).</param>
/// <param name="RemovedBytes">Their total size.</param>
/// <param name="DryRun">True when nothing was deleted.</param>
public sealed record GarbageCollection(int Versions, int Referenced, int Removed, long RemovedBytes, bool DryRun);

/// <summary>
/// The model registry: immutable numbered versions whose artifacts are stored once by SHA-256,
/// aliases that move atomically with a history, over any <see cref="IRegistryStore"/>. Every
/// concurrent step is a conditional write retried on conflict, so racing pipelines never lose
/// an update or reuse a version number.
/// </summary>
public sealed class ModelRegistry(IRegistryStore store, Actor? actor = null)
{
    private readonly Actor _actor = actor ?? Actor.Current();

    private const int MaxAttempts = 200;

    /// <summary>The store.</summary>
    public IRegistryStore Store => store;

    /// <summary>Who registers and moves aliases through this registry (recorded in manifests and alias history).</summary>
    public Actor Actor => _actor;

    /// <summary>Stores the artifacts and creates the next version.</summary>
    public async Task<ModelVersion> RegisterAsync(NewVersion registration, CancellationToken cancellationToken = default)
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

        throw new ExternalServiceException($"{store.Location}: could not allocate a version of '{name}' after {MaxAttempts} attempts; too many concurrent registrations.");
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
    /// <exception cref="ConfigException">No such version.</exception>
    public async Task<ModelVersion> GetAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        var key = RegistryNames.VersionKey(name, version);
        var stored = await store.ReadAsync(key, cancellationToken)
            ?? throw Errors.Config("version", $"'{name}' has no version {version} in {store.Location}.");
        return Checked(Deserialize<ModelVersion>(stored.Content, key), name, version, store.UriOf(key));
    }

    /// <summary>
    /// A manifest is used only when it is what its key says and its model file is among its own
    /// artifacts: a manifest copied, edited or damaged into claiming another model must not be pulled.
    /// </summary>
    internal static ModelVersion Checked(ModelVersion m, string name, int version, string where)
    {
        string? problem = null;
        if (m.Name != name || m.Version != version) problem = $"claims to be '{m.Name}' v{m.Version}";
        else if (m.Artifacts is null || m.Artifacts.Count == 0) problem = "lists no artifacts";
        else if (m.Artifacts.Any(a => a is null || a.Name is null || a.Sha256 is null)) problem = "has an artifact without a name or SHA-256";
        else if (m.Artifacts.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice) problem = $"names two artifacts '{twice.Key}'";
        else if (m.Artifacts.FirstOrDefault(a => !IsPlainFileName(a.Name) || !RegistryNames.IsSha256(a.Sha256) || a.Bytes < 0) is { } bad) problem = $"has an invalid artifact '{bad.Name}'";
        else if (m.ModelFile is null || m.Artifacts.All(a => a.Name != m.ModelFile)) problem = $"names the model file '{m.ModelFile}', which is not one of its artifacts";
        return problem is null ? m : throw Errors.Data(where, $"the manifest of '{name}' v{version} {problem}; refusing to use it.");
    }

    private static bool IsPlainFileName(string name) =>
        name.Length > 0 && name == Path.GetFileName(name) && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && name is not ("." or "..");


    /// <summary>The alias book (empty when no alias was ever set).</summary>
    public async Task<AliasBook> AliasesAsync(string name, CancellationToken cancellationToken = default)
    {
        var stored = await store.ReadAsync(RegistryNames.AliasesKey(name), cancellationToken);
        return stored is null ? new AliasBook() : Book(stored.Content, RegistryNames.AliasesKey(name));
    }

    // An alias book whose lists are missing was not written by us; moving an alias on it would lose history.
    private AliasBook Book(byte[] content, string key)
    {
        var book = Deserialize<AliasBook>(content, key);
        return book.Aliases is null || book.History is null || book.History.Any(m => m is null)
            ? throw Errors.Data(store.UriOf(key), "corrupted alias record: \"aliases\" and \"history\" must be present (an object and a list); refusing to move aliases on it.")
            : book;
    }

    /// <summary>Resolves "3", "v3" or an alias to a version number; null when the alias is unset.</summary>
    public async Task<int?> ResolveAsync(string name, string reference, CancellationToken cancellationToken = default)
    {
        var trimmed = reference.StartsWith('v') && int.TryParse(reference[1..], out var v) ? v : int.TryParse(reference, out var n) ? n : (int?)null;
        if (trimmed is { } number) return number;
        var book = await AliasesAsync(name, cancellationToken);
        return book.Aliases.TryGetValue(RegistryNames.Alias(reference), out var version) ? version : null;
    }

    /// <summary>
    /// Removes blobs no version references, and leftovers of interrupted writes, that are older
    /// than <paramref name="minAge"/> (a register in flight uploads its blobs before its manifest,
    /// and touches blobs it reuses, so a grace period keeps them). Fails closed: a manifest that
    /// cannot be read stops the collection before anything is deleted.
    /// </summary>
    public async Task<GarbageCollection> CollectGarbageAsync(TimeSpan minAge, bool dryRun, CancellationToken cancellationToken = default)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var versions = 0;
        foreach (var model in await ModelsAsync(cancellationToken))
        {
            foreach (var v in await VersionsAsync(model, cancellationToken))
            {
                foreach (var a in (await GetAsync(model, v, cancellationToken)).Artifacts) referenced.Add(RegistryNames.BlobKey(a.Sha256));
                versions++;
            }
        }

        var cutoff = DateTimeOffset.UtcNow - minAge;
        var removed = new List<StoredEntry>();
        foreach (var entry in await store.ListEntriesAsync("blobs/", cancellationToken))
        {
            if (referenced.Contains(entry.Key) || entry.Modified > cutoff) continue;
            if (!dryRun) await store.DeleteAsync(entry.Key, cancellationToken);
            removed.Add(entry);
        }

        foreach (var entry in await store.ListEntriesAsync("models/", cancellationToken))
        {
            if (!entry.Key.EndsWith(".tmp", StringComparison.Ordinal) || entry.Modified > cutoff) continue;
            if (!dryRun) await store.DeleteAsync(entry.Key, cancellationToken);
            removed.Add(entry);
        }

        return new GarbageCollection(versions, referenced.Count, removed.Count, removed.Sum(e => e.Bytes), dryRun);
    }

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, recording the move.</summary>
    public Task<AliasMove> PromoteAsync(string name, int version, string alias, string? reason = null, CancellationToken cancellationToken = default) =>
        MoveAsync(name, alias, "promote", reason, (_, _) => version, cancellationToken);

    /// <summary>Moves <paramref name="alias"/> back to the version it pointed at before its last move.</summary>
    public Task<AliasMove> RollbackAsync(string name, string alias, string? reason = null, CancellationToken cancellationToken = default) =>
        MoveAsync(name, alias, "rollback", reason, (book, current) =>
        {
            var last = book.History.LastOrDefault(m => m.Alias == alias && m.To == current);
            return last?.From ?? throw Errors.Config(alias, $"'{name}' alias '{alias}' has no earlier version to roll back to.");
        }, cancellationToken);

    private async Task<AliasMove> MoveAsync(string name, string alias, string action, string? reason, Func<AliasBook, int?, int> target, CancellationToken cancellationToken)
    {
        RegistryNames.Model(name);
        RegistryNames.Alias(alias);
        var key = RegistryNames.AliasesKey(name);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await store.ReadAsync(key, cancellationToken);
            var book = stored is null ? new AliasBook() : Book(stored.Content, key);
            int? from = book.Aliases.TryGetValue(alias, out var f) ? f : null;
            var to = target(book, from);
            await GetAsync(name, to, cancellationToken);
            var move = new AliasMove(alias, from, to, action, DateTimeOffset.UtcNow, _actor, reason);
            book.Aliases[alias] = to;
            book.History.Add(move);
            var bytes = Serialize(book);
            var written = stored is null ? await store.TryCreateAsync(key, bytes, cancellationToken) : await store.TryReplaceAsync(key, bytes, stored.ETag, cancellationToken);
            if (written) return move;
            await Backoff(attempt, cancellationToken);
        }

        throw new ExternalServiceException($"{store.Location}: could not move alias '{alias}' of '{name}' after {MaxAttempts} attempts; too many concurrent updates.");
    }

    /// <summary>
    /// Downloads a version's artifacts into <paramref name="directory"/>, verifying each SHA-256;
    /// returns the files by artifact name. Everything lands in a fresh sibling folder first and
    /// replaces <paramref name="directory"/> whole, so the folder holds exactly one version, never
    /// one version's model beside another's run.json.
    /// </summary>
    /// <exception cref="DataException">A blob is missing, truncated or corrupted; nothing partial is left behind and the folder is as it was.</exception>
    public async Task<IReadOnlyDictionary<string, string>> PullAsync(ModelVersion version, string directory, CancellationToken cancellationToken = default)
    {
        Checked(version, version.Name, version.Version, $"{store.Location} {version.Name} v{version.Version}");
        var target = Path.GetFullPath(directory);
        if (File.Exists(target)) throw Errors.Config("output", $"'{directory}' is a file; pull needs a folder to write the model into.");
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.pull-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var artifact in version.Artifacts)
            {
                await DownloadAsync(version, artifact, Path.Combine(staging, SafeFileName(artifact.Name)), cancellationToken);
            }

            var previous = Directory.Exists(target) ? Path.Combine(parent, $".{Path.GetFileName(target)}.old-{Guid.NewGuid():N}") : null;
            if (previous is not null) Directory.Move(target, previous);
            Directory.Move(staging, target);
            if (previous is not null) TryDelete(previous);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }

        return version.Artifacts.ToDictionary(a => a.Name, a => Path.Combine(directory, a.Name), StringComparer.Ordinal);
    }

    private async Task DownloadAsync(ModelVersion version, ArtifactRef artifact, string target, CancellationToken cancellationToken)
    {
        var key = RegistryNames.BlobKey(artifact.Sha256);
        await using var source = await store.OpenReadAsync(key, cancellationToken)
            ?? throw Errors.Data(store.UriOf(key), $"the blob of {artifact.Name} ({version.Name} v{version.Version}) is missing from the registry.");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await using (var output = File.Create(target))
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
            throw Errors.Data(store.UriOf(key), $"{artifact.Name} of {version.Name} v{version.Version} is corrupted: expected SHA-256 {artifact.Sha256} ({artifact.Bytes} bytes), got {actual} ({length} bytes). Refusing to use it.");
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden folder is harmless and the next pull uses a new name.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string SafeFileName(string name) =>
        IsPlainFileName(name) ? name : throw Errors.Data("registry", $"artifact name '{name}' is not a plain file name.");

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, ArtifactJson.Options);

    private T Deserialize<T>(byte[] bytes, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ArtifactJson.Options) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw Errors.Data(store.UriOf(key), $"corrupted registry record ({e.Message.Split('\n')[0]}).");
        }
    }

    private static Task Backoff(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(Random.Shared.Next(1, 10 + (Math.Min(attempt, 8) * 10)), cancellationToken);
}
