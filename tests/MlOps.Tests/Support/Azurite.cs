using System.Diagnostics;

namespace MlOps.Tests.Support;

/// <summary>
/// A real Azurite blob service on a free 127.0.0.1 port, started once for the tests that need it
/// from tools/test-services (installed by './build.sh test'). Not found is a failure, not a skip.
/// </summary>
public sealed class Azurite : IAsyncLifetime
{
    private Process? _process;
    private string? _folder;

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The blob service's URL (what registry URIs start with).</summary>
    public string BlobEndpoint => System.Text.RegularExpressions.Regex.Match(ConnectionString, "BlobEndpoint=([^;]+)").Groups[1].Value;

    public async Task InitializeAsync()
    {
        var port = NodeService.FreePort();
        _folder = Path.Combine(Path.GetTempPath(), "mlops-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        _process = await NodeService.StartAsync("azurite-blob", ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", _folder, "--silent", "--skipApiVersionCheck", "--loose"], port, TimeSpan.FromSeconds(30));

        // Azurite's well-known development account key (public, documented; not a secret).
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        try
        {
            if (_folder is not null) Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<Azurite>
{
    public const string Name = "azurite";
}
