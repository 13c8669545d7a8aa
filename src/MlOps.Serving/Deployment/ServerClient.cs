using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using MlOps.Platforms;

namespace MlOps.Deployment;

/// <summary>What deploy asks of a running <c>mlops serve</c>: reload a model, wait until it serves a version. Failures are <see cref="ExternalServiceException"/>.</summary>
public sealed class ServerClient(HttpClient http, string server, string? adminToken)
{
    /// <summary>The server's base URL, without a trailing slash.</summary>
    public string Url { get; } = server.TrimEnd('/');

    /// <summary>The HTTP client (for the smoke test).</summary>
    public HttpClient Http => http;

    /// <summary>Asks the server to re-read the model's alias now (admin endpoint).</summary>
    public async Task ReloadAsync(string name, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Url}/v2/repository/models/{Uri.EscapeDataString(name)}/load");
        if (adminToken is { Length: > 0 }) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode) throw HttpFailures.For(Url, $"reloading '{name}'", (int)response.StatusCode, await ErrorOf(response, cancellationToken));
        }
        catch (HttpRequestException e)
        {
            throw new ExternalServiceException($"{Url}: cannot reach the server ({e.Message}).", e);
        }
    }

    /// <summary>Waits until the server's current version of <paramref name="name"/> is <paramref name="version"/> and ready.</summary>
    public async Task WaitForVersionAsync(string name, int version, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var want = version.ToString(CultureInfo.InvariantCulture);
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync($"{Url}/v2/models/{Uri.EscapeDataString(name)}/versions/{want}/ready", cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    using var meta = JsonDocument.Parse(await http.GetStringAsync($"{Url}/v2/models/{Uri.EscapeDataString(name)}", cancellationToken));
                    if (meta.RootElement.GetProperty("versions")[0].GetString() == want) return;
                }
            }
            catch (HttpRequestException)
            {
                // Not up yet: keep waiting until the deadline.
            }

            if (DateTimeOffset.UtcNow > deadline) throw new ExternalServiceException($"{Url}: '{name}' v{version} was not ready within {timeout.TotalSeconds:0} s.");
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>The "error" of a JSON error body, or the body's start.</summary>
    internal static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}
