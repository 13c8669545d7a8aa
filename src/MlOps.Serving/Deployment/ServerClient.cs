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

    /// <summary>Starts a watched canary: <paramref name="percent"/>% of requests to <paramref name="version"/>, each version's answers counted; returns the version loaded.</summary>
    public async Task<string> SetCanaryAsync(string name, int version, double percent, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(new { version = version.ToString(CultureInfo.InvariantCulture), percent, watch = true });
        using var response = await SendAdminAsync(HttpMethod.Put, $"/admin/models/{Uri.EscapeDataString(name)}/canary", $"starting the canary v{version} of '{name}'", body, cancellationToken);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return doc.RootElement.GetProperty("canary").GetString() ?? throw new ExternalServiceException($"{Url}: the canary of '{name}' did not load.");
    }

    /// <summary>Ends the canary: every request goes to the current version again.</summary>
    public async Task RemoveCanaryAsync(string name, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAdminAsync(HttpMethod.Delete, $"/admin/models/{Uri.EscapeDataString(name)}/canary", $"ending the canary of '{name}'", null, cancellationToken);
    }

    /// <summary>What each version answered since the watched canary started, as this server counted it.</summary>
    public async Task<IReadOnlyList<CanaryVersionAnswers>> ReadCanaryAsync(string name, string production, string candidate, CancellationToken cancellationToken = default)
    {
        using var response = await SendAdminAsync(HttpMethod.Get, $"/admin/models/{Uri.EscapeDataString(name)}/canary", $"reading the canary of '{name}'", null, cancellationToken);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (!doc.RootElement.TryGetProperty("watch", out var watch)) throw new ExternalServiceException($"{Url}: '{name}' has no watched canary any more (was the server restarted, or the canary changed by someone else?).");
        var answers = new List<CanaryVersionAnswers>();
        foreach (var v in watch.GetProperty("versions").EnumerateObject())
        {
            if (v.Name != production && v.Name != candidate) continue; // a request pinned to another version
            var latency = v.Value.GetProperty("latency");
            double? Q(string q) => latency.TryGetProperty(q, out var x) ? x.GetDouble() : null;
            answers.Add(new CanaryVersionAnswers(Url, v.Name, v.Name == candidate ? "candidate" : "production", v.Value.GetProperty("requests").GetInt64(), v.Value.GetProperty("failed").GetInt64(), v.Value.GetProperty("rows").GetInt64(), Q("p50"), Q("p95")));
        }

        return answers;
    }

    /// <summary>Saves the stats.json of what <paramref name="version"/> predicted since the canary started; false when it predicted no rows.</summary>
    public async Task<bool> SavePredictionsAsync(string name, string version, string path, CancellationToken cancellationToken = default)
    {
        using var request = Admin(HttpMethod.Get, $"/admin/models/{Uri.EscapeDataString(name)}/canary/predictions/{Uri.EscapeDataString(version)}", null);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return false;
            if (!response.IsSuccessStatusCode) throw HttpFailures.For(Url, $"reading v{version}'s canary predictions", (int)response.StatusCode, await ErrorOf(response, cancellationToken));
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            await MlOps.Artifacts.AtomicFile.WriteAsync(path, stream => stream.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken);
            return true;
        }
        catch (HttpRequestException e)
        {
            throw new ExternalServiceException($"{Url}: cannot reach the server ({e.Message}).", e);
        }
    }

    private HttpRequestMessage Admin(HttpMethod method, string path, string? json)
    {
        var request = new HttpRequestMessage(method, Url + path);
        if (adminToken is { Length: > 0 }) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    private async Task<HttpResponseMessage> SendAdminAsync(HttpMethod method, string path, string doing, string? json, CancellationToken ct)
    {
        using var request = Admin(method, path, json);
        try
        {
            var response = await http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode) return response;
            using (response) throw HttpFailures.For(Url, doing, (int)response.StatusCode, await ErrorOf(response, ct));
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
