using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Serving;

/// <summary>
/// What real clients send beyond plain JSON: gzip bodies (tritonclient's request_compression_algorithm,
/// curl --compressed uploads), MLflow's text/csv, and wrong paths or methods, which must still get a JSON error.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProtocolParityTests : IAsyncLifetime
{
    private ServingSetup _s = null!;

    public async Task InitializeAsync()
    {
        _s = await ServingSetup.CreateAsync();
        await _s.StartAsync();
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private static string Instances => JsonSerializer.Serialize(new { instances = new[] { ServingSetup.Row(3500), ServingSetup.Row(5400) } });

    private async Task<(HttpStatusCode Status, string Body, string? Type)> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, _s.Url + path) { Content = content };
        using var response = await _s.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static ByteArrayContent Gzip(byte[] raw, string type = "application/json")
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(raw);
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new(type);
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    [Fact]
    public async Task A_gzip_body_gets_the_same_answer_as_the_plain_one()
    {
        var plain = await SendAsync(HttpMethod.Post, "/v1/models/penguins:predict", new StringContent(Instances, Encoding.UTF8, "application/json"));
        var zipped = await SendAsync(HttpMethod.Post, "/v1/models/penguins:predict", Gzip(Encoding.UTF8.GetBytes(Instances)));
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal(HttpStatusCode.OK, zipped.Status);
        Assert.Equal(plain.Body, zipped.Body);
    }

    [Fact]
    public async Task A_compressed_body_past_the_size_limit_is_413_and_an_unknown_encoding_is_415_both_in_json()
    {
        // 5 MB of whitespace compresses to a few kB: the limit is on what it inflates to.
        var bomb = Encoding.UTF8.GetBytes("{\"instances\": [" + new string(' ', 5 * 1024 * 1024) + "]}");
        var big = await SendAsync(HttpMethod.Post, "/v1/models/penguins:predict", Gzip(bomb));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.Status);
        Assert.Equal("application/json", big.Type);
        Assert.Contains("larger than", JsonDocument.Parse(big.Body).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        var content = new StringContent(Instances, Encoding.UTF8, "application/json");
        content.Headers.ContentEncoding.Add("zstd");
        var odd = await SendAsync(HttpMethod.Post, "/v1/models/penguins:predict", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, odd.Status);
        Assert.Contains("Content-Encoding 'zstd' is not supported", JsonDocument.Parse(odd.Body).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mlflow_text_csv_scores_like_dataframe_records()
    {
        var csv = "bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,island\n39.1,18.7,181,3500,Torgersen\n39.1,18.7,181,5400,\n";
        var fromCsv = await SendAsync(HttpMethod.Post, "/invocations", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var records = JsonSerializer.Serialize(new { dataframe_records = new[] { ServingSetup.Row(3500), ServingSetup.Row(5400) } });
        var fromJson = await SendAsync(HttpMethod.Post, "/invocations", new StringContent(records, Encoding.UTF8, "application/json"));
        Assert.True(fromCsv.Status == HttpStatusCode.OK, fromCsv.Body);
        Assert.Equal(fromJson.Body, fromCsv.Body);

        var broken = await SendAsync(HttpMethod.Post, "/invocations", new StringContent("bill_length_mm\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.Equal("BAD_REQUEST", JsonDocument.Parse(broken.Body).RootElement.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Read_endpoints_answer_head_with_the_status_of_get_and_no_body()
    {
        foreach (var path in new[] { "/v2/health/live", "/v2/health/ready", "/v2/models/penguins", "/ping" })
        {
            var (code, body, _) = await SendAsync(HttpMethod.Head, path);
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal(string.Empty, body);
        }
    }

    [Theory]
    [InlineData("GET", "/v2/models/penguins/infer", 405, "GET is not allowed on /v2/models/penguins/infer; it answers POST.")]
    [InlineData("DELETE", "/v2/health/ready", 405, "DELETE is not allowed on /v2/health/ready")]
    [InlineData("GET", "/v3/models", 404, "no endpoint GET /v3/models")]
    public async Task A_wrong_path_or_method_gets_a_json_error(string method, string path, int status, string message)
    {
        var (code, body, type) = await SendAsync(new HttpMethod(method), path);
        Assert.Equal(status, (int)code);
        Assert.Equal("application/json", type);
        Assert.StartsWith(message, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
