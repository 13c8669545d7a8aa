using System.Collections.Concurrent;
using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Serving;

[Trait("Category", "Integration")]
public sealed class ServingTests : IAsyncLifetime
{
    private ServingSetup _s = null!;

    public async Task InitializeAsync() => _s = await ServingSetup.CreateAsync();

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private static object V2(params (string Name, string Type, object[] Data)[] inputs) =>
        new { id = "req-1", inputs = inputs.Select(i => new { name = i.Name, shape = new[] { i.Data.Length }, datatype = i.Type, data = i.Data }).ToArray() };

    private static (string, string, object[])[] Measurements(params double[] masses) =>
    [
        ("bill_length_mm", "FP32", masses.Select(_ => (object)39.1).ToArray()),
        ("bill_depth_mm", "FP32", masses.Select(_ => (object)18.7).ToArray()),
        ("flipper_length_mm", "FP32", masses.Select(_ => (object)181.0).ToArray()),
        ("body_mass_g", "FP64", masses.Select(m => (object)m).ToArray()),
    ];

    [Fact]
    public async Task Open_inference_protocol_v2_endpoints_answer_as_the_spec_says()
    {
        await _s.StartAsync();
        var (status, server) = await _s.GetAsync("/v2");
        Assert.Equal(200, status);
        Assert.Equal("mlops", server.GetProperty("name").GetString());
        Assert.Equal(200, (await _s.GetAsync("/v2/health/live")).Status);
        Assert.Equal(200, (await _s.GetAsync("/v2/health/ready")).Status);
        Assert.Equal(200, (await _s.GetAsync("/v2/models/penguins/ready")).Status);
        Assert.Equal(200, (await _s.GetAsync("/v2/models/penguins/versions/1/ready")).Status);
        Assert.Equal(404, (await _s.GetAsync("/v2/models/penguins/versions/2/ready")).Status);
        Assert.Equal(404, (await _s.GetAsync("/v2/models/nope/ready")).Status);

        var (_, meta) = await _s.GetAsync("/v2/models/penguins");
        Assert.Equal("onnxruntime_onnx", meta.GetProperty("platform").GetString());
        Assert.Equal(["1"], meta.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"], meta.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.All(meta.GetProperty("inputs").EnumerateArray(), i => Assert.Equal("FP32", i.GetProperty("datatype").GetString()));

        var (code, body) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400, 3000, 4000)));
        Assert.Equal(200, code);
        Assert.Equal("penguins", body.GetProperty("model_name").GetString());
        Assert.Equal("1", body.GetProperty("model_version").GetString());
        Assert.Equal("req-1", body.GetProperty("id").GetString());
        var outputs = body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal([3, 3], outputs["probabilities"].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var p = outputs["probabilities"].GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        Assert.Equal(9, p.Length);
        for (var r = 0; r < 3; r++) Assert.Equal(1.0, p[(r * 3)..((r * 3) + 3)].Sum(), 4);
        Assert.Equal("BYTES", outputs["label"].GetProperty("datatype").GetString());
        Assert.Equal("Gentoo", outputs["label"].GetProperty("data")[0].GetString()); // v1 looks at body mass only: heavy = Gentoo

        var (_, only) = await _s.PostAsync("/v2/models/penguins/versions/1/infer", new { inputs = ((dynamic)V2(Measurements(5400))).inputs, outputs = new[] { new { name = "label" } } });
        Assert.Equal(["label"], only.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task V1_predict_and_every_mlflow_format_give_the_same_answers()
    {
        await _s.StartAsync();
        var rows = new[] { ServingSetup.Row(5400), ServingSetup.Row(3000) };
        var (code, v1) = await _s.PostAsync("/v1/models/penguins:predict", new { instances = rows });
        Assert.Equal(200, code);
        var labels = v1.GetProperty("predictions").EnumerateArray().Select(r => r.GetProperty("label").GetString()).ToList();
        Assert.Equal(2, labels.Count);
        Assert.Equal(3, v1.GetProperty("predictions")[0].GetProperty("probabilities").EnumerateObject().Count());

        var columns = rows[0].Keys.ToArray();
        var bodies = new object[]
        {
            new { dataframe_split = new { columns, data = rows.Select(r => columns.Select(c => r[c]).ToArray()).ToArray() } },
            new { dataframe_records = rows },
            new { instances = rows },
            new { inputs = columns.ToDictionary(c => c, c => rows.Select(r => r[c]).ToArray()) },
        };
        foreach (var b in bodies)
        {
            var (status, mlflow) = await _s.PostAsync("/invocations", b);
            Assert.Equal(200, status);
            Assert.Equal(labels, mlflow.GetProperty("predictions").EnumerateArray().Select(x => x.GetString()).ToList());
        }
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"bill_length_mm","shape":[1],"datatype":"FP32","data":[1]}]}""", 400, "input 'bill_depth_mm' is missing; this model takes: bill_length_mm (number)")]
    [InlineData("""{"inputs":[{"name":"beak","shape":[1],"datatype":"FP32","data":[1]}]}""", 400, "input 'beak' is not an input of this model; it takes: bill_length_mm (number), bill_depth_mm (number)")]
    [InlineData("""{"inputs":[{"name":"bill_length_mm","shape":[1],"datatype":"BYTES","data":["a"]}]}""", 400, "input 'bill_length_mm': datatype BYTES does not fit; expected FP32")]
    [InlineData("""{"inputs":[{"name":"bill_length_mm","shape":[2],"datatype":"FP32","data":[1]}]}""", 400, "input 'bill_length_mm': shape says 2 values, data has 1.")]
    [InlineData("""{"inputs":[{"name":"bill_length_mm","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", 400, "input 'bill_length_mm': shape [1, 3] is not supported; expected [N] or [N, 1]")]
    [InlineData("""{"inputs": [""", 400, "the body is not valid JSON")]
    [InlineData("""{"rows": []}""", 400, "the body must be a JSON object with an \"inputs\" array")]
    public async Task Bad_v2_requests_get_400_naming_the_field_and_what_was_expected(string body, int status, string message)
    {
        await _s.StartAsync();
        var (code, error) = await _s.PostRawAsync("/v2/models/penguins/infer", body);
        Assert.Equal(status, code);
        Assert.Contains(message, error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Bad_rows_sizes_and_names_get_clear_errors()
    {
        await _s.StartAsync(o => o with { MaxRows = 5, MaxRequestBytes = 2048 });
        var text = ServingSetup.Row();
        text["body_mass_g"] = "heavy";
        var (code, e) = await _s.PostAsync("/v1/models/penguins:predict", new { instances = new[] { ServingSetup.Row(), text } });
        Assert.Equal(400, code);
        Assert.Equal("instances[1].body_mass_g: expected a number (or null for missing), got \"heavy\".", e.GetProperty("error").GetString());

        // Beyond FP32's range a number would reach the model as an infinity: refused by name.
        (code, e) = await _s.PostRawAsync("/v1/models/penguins:predict", """{"instances":[{"bill_length_mm":39.1,"bill_depth_mm":18.7,"flipper_length_mm":181,"body_mass_g":1e39}]}""");
        Assert.Equal(400, code);
        Assert.Equal("instances[0].body_mass_g: 1e39 is outside the FP32 range the model reads (±3.4e38).", e.GetProperty("error").GetString());

        (code, e) = await _s.PostAsync("/v1/models/penguins:predict", new { instances = Enumerable.Repeat(ServingSetup.Row(), 6) });
        Assert.Equal(413, code);
        Assert.Contains("at most 5 are allowed", e.GetProperty("error").GetString());

        (code, e) = await _s.PostRawAsync("/v1/models/penguins:predict", "{\"instances\":[" + new string(' ', 4096) + "]}");
        Assert.Equal(413, code);
        Assert.Contains("larger than 2,048 bytes", e.GetProperty("error").GetString());

        (code, e) = await _s.PostAsync("/v1/models/koalas:predict", new { instances = new[] { ServingSetup.Row() } });
        Assert.Equal(404, code);
        Assert.Equal("model 'koalas' is not served here; served: penguins.", e.GetProperty("error").GetString());

        // Missing values are allowed (null): the model imputes them.
        var missing = ServingSetup.Row();
        missing["bill_depth_mm"] = null;
        Assert.Equal(200, (await _s.PostAsync("/v1/models/penguins:predict", new { instances = new[] { missing } })).Status);
    }

    [Fact]
    public async Task Health_answers_have_bodies_and_every_json_answer_is_exactly_application_json()
    {
        await _s.StartAsync();
        async Task<(int Status, string Type, string Body)> Get(string path)
        {
            using var response = await _s.Http.GetAsync(_s.Url + path);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? string.Empty, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal((200, "application/json", "{\"live\":true}"), await Get("/v2/health/live"));
        Assert.Equal((200, "application/json", "{\"ready\":true}"), await Get("/v2/health/ready"));
        Assert.Equal((200, "application/json", "{\"name\":\"penguins\",\"ready\":true}"), await Get("/v2/models/penguins/ready"));
        var missing = await Get("/v2/models/nope");
        Assert.Equal((404, "application/json"), (missing.Status, missing.Type));
        Assert.Contains("\"error\"", missing.Body, StringComparison.Ordinal);

        // MLflow's client waits on /ping before it sends anything.
        Assert.Equal(200, (await Get("/ping")).Status);
        Assert.Equal(200, (await Get("/health")).Status);
        Assert.False(string.IsNullOrWhiteSpace((await Get("/version")).Body));
    }

    [Fact]
    public async Task The_model_repository_extension_indexes_unloads_and_loads_with_admin_auth()
    {
        await _s.StartAsync(o => o with { PollInterval = TimeSpan.FromMilliseconds(100) });
        var (status, index) = await _s.PostRawAsync("/v2/repository/index", "{}");
        Assert.Equal(200, status);
        var entry = Assert.Single(index.EnumerateArray());
        Assert.Equal(("penguins", "1", "READY"), (entry.GetProperty("name").GetString(), entry.GetProperty("version").GetString(), entry.GetProperty("state").GetString()));

        Assert.Equal(401, await _s.AdminAsync(HttpMethod.Post, "/v2/repository/models/penguins/unload", token: "wrong"));
        Assert.Equal(200, await _s.AdminAsync(HttpMethod.Post, "/v2/repository/models/penguins/unload"));
        var (ready, _) = await _s.GetAsync("/v2/models/penguins/ready");
        Assert.Equal(404, ready);
        (status, _) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400)));
        Assert.Equal(404, status);

        // Polling does not undo an unload; a load does.
        var polls = _s.Server!.Host.Find("penguins")!;
        for (var i = 0; i < 5 && polls.Current is null; i++) await Task.Delay(100);
        Assert.Null(polls.Current);
        (_, index) = await _s.PostRawAsync("/v2/repository/index", "{}");
        Assert.Equal("UNAVAILABLE", index[0].GetProperty("state").GetString());
        Assert.Equal(200, await _s.AdminAsync(HttpMethod.Post, "/v2/repository/models/penguins/load"));
        (status, _) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400)));
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task MlFlow_clients_may_send_nan_tokens_leave_out_keys_and_add_extra_ones()
    {
        await _s.StartAsync();
        const string body = """{"dataframe_records": [{"bill_length_mm": NaN, "bill_depth_mm": 18.7, "flipper_length_mm": 181, "body_mass_g": 5400, "note": "extra"}, {"bill_depth_mm": 18.7, "flipper_length_mm": 181, "body_mass_g": 3000}]}""";
        var (status, answer) = await _s.PostRawAsync("/invocations", body);
        Assert.True(status == 200, answer.ToString());
        Assert.Equal(2, answer.GetProperty("predictions").GetArrayLength());

        // The V1 protocol stays strict: an unknown key is named.
        (status, answer) = await _s.PostAsync("/v1/models/penguins:predict", new { instances = new[] { new Dictionary<string, object?>(ServingSetup.Row()) { ["note"] = "extra" } } });
        Assert.Equal(400, status);
        Assert.Contains("'note' is not an input", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    // tritonclient.http's default: the JSON header, then each input's little-endian bytes.
    private static ByteArrayContent Binary(object header, params float[][] inputs)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        var bytes = inputs.SelectMany(values => values.SelectMany(BitConverter.GetBytes)).ToArray();
        var content = new ByteArrayContent([.. json, .. bytes]);
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        content.Headers.ContentType = new("application/octet-stream");
        return content;
    }

    [Fact]
    public async Task Tritons_binary_tensor_data_in_and_out_gives_the_json_answer()
    {
        await _s.StartAsync();
        string[] names = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"];
        float[][] values = [[39.1f, 46.1f], [18.7f, 13.2f], [181f, 211f], [5400f, 3000f]];
        var header = new
        {
            inputs = names.Select(n => new { name = n, shape = new[] { 2 }, datatype = "FP32", parameters = new { binary_data_size = 8 } }),
            outputs = new object[] { new { name = "probabilities", parameters = new { binary_data = true } }, new { name = "label", parameters = new { binary_data = false } } },
        };
        using var response = await _s.Http.PostAsync(_s.Url + "/v2/models/penguins/infer", Binary(header, values));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, System.Text.Encoding.UTF8.GetString(body));
        var length = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var json = JsonDocument.Parse(body.AsMemory(0, length)).RootElement;
        var outputs = json.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(24, outputs["probabilities"].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(outputs["probabilities"].TryGetProperty("data", out _));
        Assert.Equal(length + 24, body.Length);
        var probabilities = Enumerable.Range(0, 6).Select(i => BitConverter.ToSingle(body, length + (i * 4))).ToArray();

        // The same rows as plain JSON: the same labels and probabilities.
        var (_, plain) = await _s.PostAsync("/v2/models/penguins/infer", new { inputs = names.Select((n, i) => new { name = n, shape = new[] { 2 }, datatype = "FP32", data = values[i] }) });
        var expected = plain.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(expected["probabilities"].GetProperty("data").EnumerateArray().Select(d => d.GetSingle()), probabilities);
        Assert.Equal(expected["label"].GetProperty("data").EnumerateArray().Select(d => d.GetString()), outputs["label"].GetProperty("data").EnumerateArray().Select(d => d.GetString()));
        Assert.Contains("binary_tensor_data", (await _s.GetAsync("/v2")).Body.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));

        // A size that does not fit the body is a 400 naming the input.
        var wrong = new { inputs = names.Select(n => new { name = n, shape = new[] { 2 }, datatype = "FP32", parameters = new { binary_data_size = n == "body_mass_g" ? 16 : 8 } }) };
        using var bad = await _s.Http.PostAsync(_s.Url + "/v2/models/penguins/infer", Binary(wrong, values));
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Contains("input 'body_mass_g': binary_data_size 16", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MlFlow_answers_labels_by_default_and_probabilities_when_asked()
    {
        await _s.StartAsync(o => o with { MlFlowAnswer = MlOps.Serving.MlFlowAnswer.Probabilities });
        var rows = new[] { ServingSetup.Row(5400), ServingSetup.Row(3000) };
        var (status, answer) = await _s.PostAsync("/invocations", new { dataframe_records = rows });
        Assert.Equal(200, status);
        var probabilities = answer.GetProperty("predictions").EnumerateArray().Select(p => p.EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetDouble())).ToList();
        Assert.All(probabilities, p => Assert.Equal(1.0, p.Values.Sum(), 4));
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], probabilities[0].Keys.Order());

        // The labels MLflow's default answer gives are the most probable classes.
        var (_, v1) = await _s.PostAsync("/v1/models/penguins:predict", new { instances = rows });
        Assert.Equal(v1.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString()), probabilities.Select(p => p.MaxBy(c => c.Value).Key));
    }

    [Fact]
    public void A_binary_classifier_answers_mlflow_with_labels_or_the_positive_probability()
    {
        var p = MlOps.Scoring.Predictions.Binary([0.8f, 0.3f]);
        string Answer(MlOps.Serving.MlFlowAnswer a)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer)) MlOps.Serving.PredictionJson.WriteMlFlow(w, p, a);
            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        Assert.Equal("""{"predictions":[1,0]}""", Answer(MlOps.Serving.MlFlowAnswer.Labels));
        Assert.Equal("""{"predictions":[0.8,0.3]}""", Answer(MlOps.Serving.MlFlowAnswer.Probabilities));
    }

    [Fact]
    public async Task MlFlow_routes_answer_errors_in_mlflows_shape()
    {
        await _s.StartAsync();
        var (status, body) = await _s.PostRawAsync("/invocations", "{\"not_a_format\": []}");
        Assert.Equal(400, status);
        Assert.Equal("BAD_REQUEST", body.GetProperty("error_code").GetString());
        Assert.Contains("dataframe_split", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The Open Inference Protocol keeps its own shape.
        (status, body) = await _s.PostRawAsync("/v2/models/penguins/infer", "{\"inputs\": 5}");
        Assert.Equal(400, status);
        Assert.True(body.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task A_non_finite_model_output_is_a_500_with_an_error_body_never_a_truncated_200()
    {
        var csv = Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv");
        var raw = _s.Dir.Bytes("raw/model.onnx", OnnxModels.NearestCentroid(csv, perColumnInputs: true, impute: false));
        await _s.StartAsync(o => o with { Models = [new MlOps.Serving.ModelSpec("raw", null, raw)] });
        var (status, body) = await _s.PostAsync("/v1/models/raw:predict", new { instances = new[] { new Dictionary<string, object?> { ["bill_length_mm"] = null, ["bill_depth_mm"] = 18.7, ["flipper_length_mm"] = 181.0, ["body_mass_g"] = 3000.0 } } });
        Assert.Equal(500, status);
        Assert.Contains("the model gave 1 non-finite outputs (NaN or infinite), first at rows 0", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, _s.Server!.Metrics.Count("raw", "file", "5xx"));

        // A finite answer from the same model still works.
        (status, _) = await _s.PostAsync("/v1/models/raw:predict", new { instances = new[] { ServingSetup.Row() } });
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task A_version_that_fails_to_load_is_retried_with_back_off_while_the_old_one_serves_and_says_so()
    {
        var log = new ConcurrentQueue<string>();
        await _s.StartAsync(o => o with { PollInterval = TimeSpan.FromMilliseconds(100) }, log.Enqueue);

        // v3 is registered with bytes no ONNX Runtime can load, and production moves to it.
        await ServingSetup.RegisterAsync(_s.Registry, _s.Dir.File("v3/model.onnx", "not an onnx model"));
        await _s.Registry.PromoteAsync(ServingSetup.Model, 3, "production");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!log.Any(l => l.Contains("does not load", StringComparison.Ordinal)) && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        // Polled every 100 ms for ~2.5 s, but retried after 1 s, then 2 s: at most three attempts.
        var attempts = log.Count(l => l.Contains("is v3 but it does not load", StringComparison.Ordinal));
        Assert.InRange(attempts, 1, 3);
        var (status, meta) = await _s.GetAsync("/v2/models/penguins");
        Assert.Equal(200, status);
        var mlops = meta.GetProperty("mlops");
        Assert.Equal(("production", "3", "1", false), (mlops.GetProperty("alias").GetString(), mlops.GetProperty("aliasVersion").GetString(), mlops.GetProperty("servedVersion").GetString(), mlops.GetProperty("inSync").GetBoolean()));
        Assert.False(string.IsNullOrEmpty(mlops.GetProperty("loadError").GetString()));
        var (ok, answer) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400)));
        Assert.Equal(200, ok);
        Assert.Equal("1", answer.GetProperty("model_version").GetString());
        var metrics = await _s.Http.GetStringAsync(_s.Url + "/metrics");
        Assert.Contains("mlops_model_alias_in_sync{model=\"penguins\",alias=\"production\",alias_version=\"3\",served_version=\"1\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains($"mlops_model_load_failures{{model=\"penguins\",alias=\"production\"}} {attempts}", metrics, StringComparison.Ordinal);

        // Back to a version that loads: in sync again.
        await _s.Registry.PromoteAsync(ServingSetup.Model, 2, "production");
        deadline = DateTime.UtcNow.AddSeconds(20);
        while (_s.Server!.Host.Find("penguins")!.Current!.Version != "2" && DateTime.UtcNow < deadline) await Task.Delay(50);
        (_, meta) = await _s.GetAsync("/v2/models/penguins");
        Assert.True(meta.GetProperty("mlops").GetProperty("inSync").GetBoolean());
        Assert.Contains("mlops_model_alias_in_sync{model=\"penguins\",alias=\"production\",alias_version=\"2\",served_version=\"2\"} 1", await _s.Http.GetStringAsync(_s.Url + "/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hot_swap_under_concurrent_load_fails_no_request_and_then_serves_only_the_new_version()
    {
        await _s.StartAsync();
        var old = _s.Server!.Host.Find("penguins")!.Current!;
        var versions = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var body = new { instances = new[] { ServingSetup.Row() } };

        async Task Client()
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, json) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400)));
                if (status != 200) failures.Enqueue($"{status}: {json}");
                else versions.AddOrUpdate(json.GetProperty("model_version").GetString()!, 1, (_, n) => n + 1);
            }
        }

        // Counts, not sleeps: enough answers from the old version, then from the new one.
        async Task Until(string version, int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (versions.GetValueOrDefault(version) < count && failures.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(5);
        }

        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(Client)).ToArray();
        await Until("1", 200);
        await _s.Registry.PromoteAsync(ServingSetup.Model, 2, "production");
        Assert.Equal(200, await _s.AdminAsync(HttpMethod.Post, "/v2/repository/models/penguins/load"));
        await Until("2", 200);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(versions.GetValueOrDefault("1") > 0, "requests before the swap");
        Assert.True(versions.GetValueOrDefault("2") > 0, "requests after the swap");
        var (_, after) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400)));
        Assert.Equal("2", after.GetProperty("model_version").GetString());
        Assert.True(old.Disposed); // the old version was released once idle
        Assert.Equal(0, _s.Server.Metrics.Count("penguins", "1", "5xx") + _s.Server.Metrics.Count("penguins", "2", "5xx"));
    }

    [Fact]
    public async Task A_canary_gets_its_share_of_traffic_within_tolerance_and_its_own_metrics()
    {
        await _s.StartAsync();
        Assert.Equal(200, await _s.AdminAsync(HttpMethod.Put, "/admin/models/penguins/canary", new { version = "staging", percent = 30 }));
        var counts = new ConcurrentDictionary<string, int>();
        const int requests = 600;
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, _) =>
        {
            var (status, json) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400)));
            Assert.Equal(200, status);
            counts.AddOrUpdate(json.GetProperty("model_version").GetString()!, 1, (_, n) => n + 1);
        });

        // Binomial(600, 0.3): sd 1.9 points; allow 5 sd.
        var share = counts.GetValueOrDefault("2") / (double)requests;
        Assert.InRange(share, 0.30 - 0.094, 0.30 + 0.094);
        Assert.Equal(counts["2"], _s.Server!.Metrics.Count("penguins", "2", "2xx"));
        Assert.Equal(counts["1"], _s.Server.Metrics.Count("penguins", "1", "2xx"));
        var metrics = await _s.Http.GetStringAsync(_s.Url + "/metrics");
        Assert.Contains("mlops_model_info{model=\"penguins\",version=\"2\",role=\"canary\",percent=\"30\"} 1", metrics);
        Assert.Contains($"mlops_request_duration_seconds_count{{model=\"penguins\",version=\"2\"}} {counts["2"]}", metrics);

        Assert.Equal(204, await _s.AdminAsync(HttpMethod.Delete, "/admin/models/penguins/canary"));
        var (_, after) = await _s.PostAsync("/v2/models/penguins/infer", V2(Measurements(5400)));
        Assert.Equal("1", after.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Admin_endpoints_need_the_token_and_are_off_without_one()
    {
        await _s.StartAsync();
        Assert.Equal(401, await _s.AdminAsync(HttpMethod.Post, "/v2/repository/models/penguins/load", token: null));
        Assert.Equal(401, await _s.AdminAsync(HttpMethod.Post, "/v2/repository/models/penguins/load", token: "guess"));
        await _s.Server!.DisposeAsync();
        await _s.StartAsync(o => o with { AdminToken = null });
        Assert.Equal(403, await _s.AdminAsync(HttpMethod.Post, "/v2/repository/models/penguins/load"));
    }

    [Fact]
    public async Task The_prediction_log_has_inputs_outputs_and_version_per_row_as_json_lines()
    {
        var log = _s.Dir.Combine("predictions.jsonl");
        await _s.StartAsync(o => o with { PredictionLog = log });
        Assert.Equal(200, (await _s.PostAsync("/v1/models/penguins:predict", new { instances = new[] { ServingSetup.Row(5400), ServingSetup.Row(3000) } })).Status);
        await _s.Server!.DisposeAsync(); // flushes the log
        var line = Assert.Single(File.ReadAllLines(log));
        using var entry = JsonDocument.Parse(line);
        Assert.Equal("1", entry.RootElement.GetProperty("version").GetString());
        Assert.Equal(5400, entry.RootElement.GetProperty("inputs")[0].GetProperty("body_mass_g").GetDouble());
        Assert.Equal(2, entry.RootElement.GetProperty("outputs").GetArrayLength());
        Assert.True(entry.RootElement.TryGetProperty("time", out _));
    }
}
