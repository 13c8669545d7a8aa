using MlOps.Registry;
using MlOps.Tests.Support;

namespace MlOps.Tests.Registry;

/// <summary>The same registry behaviour asserted against every backend.</summary>
public abstract class RegistryContract
{
    protected abstract IRegistryStore NewStore();

    /// <summary>Corrupts the stored bytes of a blob key, as a bad disk or a tampering hand would.</summary>
    protected abstract Task CorruptAsync(IRegistryStore store, string key, byte[] bytes);

    protected static NewVersion Sample(TempDir dir, string name, string content) => RegistrySamples.Version(dir, name, content, withNotes: true);

    [Fact]
    public async Task Register_then_pull_round_trips_with_hashes_verified()
    {
        using var dir = new TempDir();
        var registry = new ModelRegistry(NewStore());
        var v1 = await registry.RegisterAsync(Sample(dir, "churn", "first model"));
        var v2 = await registry.RegisterAsync(Sample(dir, "churn", "second model"));
        Assert.Equal((1, 2), (v1.Version, v2.Version));
        var files = await registry.PullAsync(await registry.GetAsync("churn", 2), dir.Combine("pulled"));
        Assert.Equal("second model", File.ReadAllText(files["model.onnx"]));
        Assert.Equal("notes second model", File.ReadAllText(files["notes.md"]));
        Assert.Equal([1, 2], await registry.VersionsAsync("churn"));
        Assert.Contains("churn", await registry.ModelsAsync());
    }

    [Fact]
    public async Task Identical_artifacts_are_stored_once()
    {
        using var dir = new TempDir();
        var store = NewStore();
        var registry = new ModelRegistry(store);
        var a = await registry.RegisterAsync(Sample(dir, "dedupe", "same bytes"));
        var b = await registry.RegisterAsync(Sample(dir, "dedupe", "same bytes"));
        Assert.Equal(a.Artifacts[0].Sha256, b.Artifacts[0].Sha256);
        Assert.Single(await store.ListAsync($"blobs/sha256/{a.Artifacts[0].Sha256}"));
    }

    [Fact]
    public async Task A_corrupted_or_truncated_blob_is_refused_and_nothing_is_left_behind()
    {
        using var dir = new TempDir();
        var store = NewStore();
        var registry = new ModelRegistry(store);
        var v = await registry.RegisterAsync(Sample(dir, "corrupt", "precious weights"));
        var key = RegistryNames.BlobKey(v.Artifacts[0].Sha256);

        await CorruptAsync(store, key, "precious weighTs"u8.ToArray());
        var e = await Assert.ThrowsAsync<DataException>(() => registry.PullAsync(v, dir.Combine("out")));
        Assert.Contains("model.onnx of corrupt v1 is corrupted: expected SHA-256", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("out")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, ".out.*"));

        await CorruptAsync(store, key, "precious"u8.ToArray());
        var t = await Assert.ThrowsAsync<DataException>(() => registry.PullAsync(v, dir.Combine("out")));
        Assert.Contains("(8 bytes)", t.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aliases_move_atomically_with_history_and_roll_back()
    {
        using var dir = new TempDir();
        var registry = new ModelRegistry(NewStore());
        for (var i = 0; i < 3; i++) await registry.RegisterAsync(Sample(dir, "alias", $"m{i}"));
        await registry.PromoteAsync("alias", 1, "production", "first");
        await registry.PromoteAsync("alias", 3, "production", "better");
        Assert.Equal(3, await registry.ResolveAsync("alias", "production"));
        var back = await registry.RollbackAsync("alias", "production", "bad canary");
        Assert.Equal((3, 1), (back.From, back.To));
        Assert.Equal(1, await registry.ResolveAsync("alias", "production"));
        var book = await registry.AliasesAsync("alias");
        Assert.Equal(["promote", "promote", "rollback"], book.History.Select(h => h.Action));
        Assert.Equal("bad canary", book.History[^1].Reason);
        await Assert.ThrowsAsync<ConfigException>(() => registry.PromoteAsync("alias", 9, "production"));
    }

    [Fact]
    public async Task Twenty_racing_registrations_and_promotions_lose_nothing_and_never_reuse_a_version()
    {
        using var dir = new TempDir();
        const int n = 24;
        var samples = Enumerable.Range(0, n).Select(i => Sample(dir, "race", $"model {i}")).ToList();

        // Each racer has its own store instance, as separate CI runners would.
        var registered = await Task.WhenAll(samples.Select(s => Task.Run(() => new ModelRegistry(NewStore()).RegisterAsync(s))));
        var versions = registered.Select(v => v.Version).Order().ToList();
        Assert.Equal(Enumerable.Range(1, n), versions);
        var registry = new ModelRegistry(NewStore());
        foreach (var v in registered)
        {
            var stored = await registry.GetAsync("race", v.Version);
            Assert.Equal(v.Artifacts[0].Sha256, stored.Artifacts[0].Sha256);
        }

        var moves = await Task.WhenAll(Enumerable.Range(1, n).Select(v => Task.Run(() => new ModelRegistry(NewStore()).PromoteAsync("race", v, "production", $"racer {v}"))));
        var book = await registry.AliasesAsync("race");
        Assert.Equal(n, book.History.Count);
        Assert.Equal(Enumerable.Range(1, n), book.History.Select(h => h.To).Order());
        Assert.Equal(book.History[^1].To, book.Aliases["production"]);

        // Each move saw the state the previous one left: the history is one unbroken chain.
        for (var i = 1; i < book.History.Count; i++) Assert.Equal(book.History[i - 1].To, book.History[i].From);
        Assert.Null(book.History[0].From);
        Assert.Equal(n, moves.Length);
    }

    [Fact]
    public async Task A_pull_that_fails_leaves_the_folder_as_it_was_and_one_that_succeeds_replaces_it_whole()
    {
        using var dir = new TempDir();
        var store = NewStore();
        var registry = new ModelRegistry(store);
        var v1 = await registry.RegisterAsync(Sample(dir, "whole", "first model"));
        var v2 = await registry.RegisterAsync(Sample(dir, "whole", "second model"));
        var target = dir.Combine("serving");
        await registry.PullAsync(v1, target);
        File.WriteAllText(Path.Combine(target, "left-over.txt"), "from an earlier pull");

        // v2's second artifact is damaged: the pull fails after its model.onnx arrived.
        await CorruptAsync(store, RegistryNames.BlobKey(v2.Artifacts[1].Sha256), "damaged"u8.ToArray());
        await Assert.ThrowsAsync<DataException>(() => registry.PullAsync(v2, target));
        Assert.Equal("first model", File.ReadAllText(Path.Combine(target, "model.onnx")));
        Assert.Equal("notes first model", File.ReadAllText(Path.Combine(target, "notes.md")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, ".serving.*"));

        var v3 = await registry.RegisterAsync(Sample(dir, "whole", "third model"));
        var files = await registry.PullAsync(v3, target);
        Assert.Equal(["model.onnx", "notes.md"], Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("third model", File.ReadAllText(files["model.onnx"]));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, ".serving.*"));
    }

    public static TheoryData<string, string> Tampered() => new()
    {
        { "\"name\": \"tamper\"", "\"name\": \"other\"" },
        { "\"version\": 1,", "\"version\": 7," },
        { "\"modelFile\": \"model.onnx\"", "\"modelFile\": \"../etc/passwd\"" },
        { "\"name\": \"notes.md\"", "\"name\": \"model.onnx\"" },
        { "\"name\": \"model.onnx\",", "\"name\": \"../model.onnx\"," },
    };

    [Theory]
    [MemberData(nameof(Tampered))]
    public async Task A_manifest_that_claims_another_model_or_lists_bad_artifacts_is_refused(string from, string to)
    {
        using var dir = new TempDir();
        var store = NewStore();
        var registry = new ModelRegistry(store);
        await registry.RegisterAsync(Sample(dir, "tamper", "weights"));
        var key = RegistryNames.VersionKey("tamper", 1);
        var stored = (await store.ReadAsync(key))!;
        var text = System.Text.Encoding.UTF8.GetString(stored.Content);
        Assert.Contains(from, text, StringComparison.Ordinal);
        Assert.True(await store.TryReplaceAsync(key, System.Text.Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal)), stored.ETag));
        var e = await Assert.ThrowsAsync<DataException>(() => registry.GetAsync("tamper", 1));
        Assert.Contains("the manifest of 'tamper' v1", e.Message, StringComparison.Ordinal);
        Assert.Contains("refusing to use it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_removes_only_unreferenced_blobs_older_than_the_grace_period()
    {
        using var dir = new TempDir();
        var store = NewStore();
        var registry = new ModelRegistry(store);
        var v1 = await registry.RegisterAsync(Sample(dir, "gc", "kept weights"));

        // What a register killed after uploading leaves: a complete blob that no manifest references.
        var orphan = dir.File("orphan.bin", new string('x', 5000));
        var (sha, _) = await MlOps.Artifacts.DataFingerprint.FileAsync(orphan);
        await store.UploadIfAbsentAsync(RegistryNames.BlobKey(sha), orphan);

        var young = await registry.CollectGarbageAsync(TimeSpan.FromHours(1), dryRun: false);
        Assert.Equal(0, young.Removed);
        var dry = await registry.CollectGarbageAsync(TimeSpan.Zero, dryRun: true);
        Assert.Equal((1, 5000L, true), (dry.Removed, dry.RemovedBytes, dry.DryRun));
        Assert.Single(await store.ListAsync(RegistryNames.BlobKey(sha)));

        var done = await registry.CollectGarbageAsync(TimeSpan.Zero, dryRun: false);
        Assert.Equal((1, 1, 2), (done.Removed, done.Versions, done.Referenced));
        Assert.Empty(await store.ListAsync(RegistryNames.BlobKey(sha)));
        var files = await registry.PullAsync(v1, dir.Combine("pulled"));
        Assert.Equal("kept weights", File.ReadAllText(files["model.onnx"]));
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v10")]
    [InlineData("2")]
    public async Task An_alias_that_reads_as_a_version_is_refused(string alias)
    {
        using var dir = new TempDir();
        var registry = new ModelRegistry(NewStore());
        await registry.RegisterAsync(Sample(dir, "aliases", "m"));
        var e = await Assert.ThrowsAsync<ConfigException>(() => registry.PromoteAsync("aliases", 1, alias));
        Assert.Contains($"'{alias}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("Upper")]
    [InlineData("")]
    [InlineData("x?comp=list")]
    public async Task Names_that_could_reach_outside_their_place_are_refused(string name)
    {
        using var dir = new TempDir();
        var registry = new ModelRegistry(NewStore());
        await Assert.ThrowsAsync<ConfigException>(() => registry.RegisterAsync(Sample(dir, name, "x")));
        await Assert.ThrowsAsync<ConfigException>(() => registry.PromoteAsync("ok", 1, name == string.Empty ? "../x" : name));
    }
}

public sealed class LocalRegistryTests : RegistryContract, IDisposable
{
    private readonly TempDir _root = new();

    protected override IRegistryStore NewStore() => new LocalFolderStore(_root.Combine("registry"));

    protected override Task CorruptAsync(IRegistryStore store, string key, byte[] bytes) =>
        File.WriteAllBytesAsync(Path.Combine(_root.Combine("registry"), key), bytes);

    public void Dispose() => _root.Dispose();
}

[Collection(AzuriteCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AzureRegistryTests(Azurite azurite) : RegistryContract
{
    private readonly string _container = "reg" + Guid.NewGuid().ToString("N")[..12];

    protected override IRegistryStore NewStore() =>
        new AzureBlobStore(new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, _container, AzureBlobStore.Options()));

    protected override async Task CorruptAsync(IRegistryStore store, string key, byte[] bytes)
    {
        var client = new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, _container);
        await client.GetBlobClient(key).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_an_external_service_error_without_secrets()
    {
        var store = new AzureBlobStore(new Azure.Storage.Blobs.BlobContainerClient("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;", "x", new Azure.Storage.Blobs.BlobClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10), NetworkTimeout = TimeSpan.FromSeconds(2) } }));
        var e = await Assert.ThrowsAsync<ExternalServiceException>(() => new ModelRegistry(store).VersionsAsync("m"));
        Assert.DoesNotContain("Eby8vdM02", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ExternalServiceError, e.ExitCode);
    }
}
