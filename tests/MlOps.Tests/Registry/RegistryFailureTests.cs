using System.Net;
using System.Net.Sockets;
using MlOps.Registry;
using MlOps.Tests.Support;

namespace MlOps.Tests.Registry;

/// <summary>A registry that is damaged, mistyped or answered by a broken server gives one line and a documented exit code, never 70.</summary>
[Trait("Category", "Integration")]
public sealed class RegistryFailureTests
{
    private static NewVersion Sample(TempDir dir, string name, string content) => RegistrySamples.Version(dir, name, content);

    [Fact]
    public async Task One_corrupt_manifest_does_not_hide_the_rest_of_the_registry()
    {
        using var dir = new TempDir();
        var registry = new ModelRegistry(new LocalFolderStore(dir.Combine("registry")));
        await registry.RegisterAsync(Sample(dir, "churn", "one"));
        await registry.RegisterAsync(Sample(dir, "churn", "two"));
        File.WriteAllText(dir.Combine("registry/models/churn/versions/1.json"), "{ not json");
        var (code, stdout, stderr) = await Support.Cli.RunAsync("list", "--registry", dir.Combine("registry"), "--name", "churn");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("churn v1  (corrupt manifest", stdout, StringComparison.Ordinal);
        Assert.Contains("churn v2  ", stdout, StringComparison.Ordinal);
        Assert.Contains("warning:", stderr, StringComparison.Ordinal);
        Assert.Contains("corrupted registry record", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_path_that_is_a_file_is_a_usage_error()
    {
        using var dir = new TempDir();
        var file = dir.File("registry", "x");
        var (code, _, stderr) = await Support.Cli.RunAsync("list", "--registry", file);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("is a file, not a registry folder", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("connection-string-env", "AccountName=x;AccountKey=c2VjcmV0LWtleQ==;Nonsense")]
    [InlineData("connection-string-env", "not a connection string at all")]
    [InlineData("container-url-env", "not-a-url?sig=c2VjcmV0LWtleQ")]
    [InlineData("container-url-env", "ftp://example.com/models?sig=c2VjcmV0LWtleQ")]
    public async Task A_malformed_connection_string_or_sas_url_is_a_usage_error_that_never_echoes_it(string setting, string value)
    {
        using var dir = new TempDir();
        var variable = "MLOPS_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Support.Cli.SetVariable(variable, value);
        try
        {
            var config = dir.File("mlops.yaml", $"project: churn\nregistry: {{ azure: {{ container: models, {setting}: {variable} }} }}\n");
            var (code, stdout, stderr) = await Support.Cli.RunAsync("list", "--config", config);
            Assert.Equal(ExitCodes.UsageError, code);
            Assert.Contains(variable, stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("c2VjcmV0LWtleQ", stdout + stderr, StringComparison.Ordinal);
            Assert.Single(stderr.Trim().Split('\n'));
        }
        finally
        {
            Support.Cli.SetVariable(variable, null);
        }
    }

    public static TheoryData<int, string, string> BrokenReplies() => new()
    {
        { 200, "application/xml", "<?xml version=\"1.0\"?><EnumerationResults><Blobs><Blob><Name>models/a" },
        { 200, "application/json", "{\"value\": []}" },
        { 400, "application/json", "{\"error\": {\"code\": \"Weird\"}}" },
        { 400, "application/xml", string.Empty },
        { 403, "text/html", "<html><body>proxy says no</body></html>" },
    };

    [Theory]
    [MemberData(nameof(BrokenReplies))]
    public async Task Any_broken_azure_reply_is_an_external_service_error_in_one_line(int status, string contentType, string body)
    {
        using var dir = new TempDir();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serving = ServeAsync(server, status, contentType, body, stop.Token);
        var variable = "MLOPS_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Support.Cli.SetVariable(variable, $"http://127.0.0.1:{port}/devstoreaccount1/models?sv=2023-01-03&sig=c2VjcmV0LWtleQ%3D");
        try
        {
            var config = dir.File("mlops.yaml", $"project: churn\nregistry: {{ azure: {{ container-url-env: {variable} }} }}\n");
            var (code, stdout, stderr) = await Support.Cli.RunAsync("list", "--config", config);
            Assert.True(code == ExitCodes.ExternalServiceError, $"exit {code}: {stdout}{stderr}");
            Assert.Contains("Azure Blob Storage", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("c2VjcmV0LWtleQ", stdout + stderr, StringComparison.Ordinal);
            Assert.Single(stderr.Trim().Split('\n'));
        }
        finally
        {
            Support.Cli.SetVariable(variable, null);
            await stop.CancelAsync();
            server.Stop();
            await serving;
        }
    }

    // A minimal HTTP/1.1 server: whatever is asked, the same reply (what a broken proxy or emulator sends).
    private static async Task ServeAsync(TcpListener server, int status, string contentType, string body, CancellationToken ct)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var client = await server.AcceptTcpClientAsync(ct);
                await using var stream = client.GetStream();
                var buffer = new byte[16384];
                var request = new System.Text.StringBuilder();
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer, ct);
                    if (n == 0) break;
                    request.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
                }

                var head = $"HTTP/1.1 {status} X\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nx-ms-request-id: 1\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), ct);
                await stream.WriteAsync(bytes, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // Stopped.
        }
    }
}
