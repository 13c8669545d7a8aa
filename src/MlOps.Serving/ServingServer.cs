using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Serving;

/// <summary>
/// The model server on Kestrel: Open Inference Protocol (KServe V2) REST, a V1 <c>:predict</c>
/// with rows as JSON objects, MLflow's <c>/invocations</c>, Prometheus <c>/metrics</c>, and
/// token-protected admin endpoints (reload from the registry, canary).
/// </summary>
public sealed partial class ServingServer : IAsyncDisposable
{
    private readonly ServeOptions _options;
    private readonly ModelHost _host;
    private readonly ServingMetrics _metrics = new();
    private readonly PredictionLog? _log;
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private Task _poll = Task.CompletedTask;
    private int _disposed;

    private ServingServer(ServeOptions options, ModelHost host, WebApplication app)
    {
        _options = options;
        _host = host;
        _app = app;
        _log = options.PredictionLog is { } path ? new PredictionLog(path, options.LogSampleRate, options.LogMaxBytes, options.LogKeep) : null;
    }

    /// <summary>The address the server listens on.</summary>
    public string Url => _app.Urls.First();

    /// <summary>The gRPC address (Open Inference Protocol over HTTP/2), or null when gRPC is off.</summary>
    public string? GrpcUrl { get; private set; }

    /// <summary>The loaded models.</summary>
    public ModelHost Host => _host;

    /// <summary>The protocol extensions advertised by <c>/v2</c> and gRPC ServerMetadata.</summary>
    internal static readonly string[] Extensions = ["model_repository", "binary_tensor_data"];

    /// <summary>The metrics.</summary>
    public ServingMetrics Metrics => _metrics;

    /// <summary>Loads the models, then starts listening and polling the registry.</summary>
    /// <exception cref="MlOpsException">A model cannot be loaded.</exception>
    public static async Task<ServingServer> StartAsync(ServeOptions options, Action<string> log, CancellationToken cancellationToken = default)
    {
        var host = new ModelHost(options, log);
        await host.LoadAllAsync(cancellationToken);
        var holder = new ServerHolder();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? grpcEndpoint = null;
        if (options.GrpcPort is null) builder.WebHost.UseUrls(FormattableString.Invariant($"http://{options.Host}:{options.Port}"));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.AddServerHeader = false;
            if (options.GrpcPort is { } grpcPort)
            {
                // Two endpoints on the asked address only: REST (HTTP/1.1) and gRPC (HTTP/2 without TLS, as KServe and Triton clients speak it in a cluster).
                Listen(k, options.Host, options.Port, _ => { });
                Listen(k, options.Host, grpcPort, l =>
                {
                    l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2;
                    grpcEndpoint = l;
                });
            }
        });
        if (options.GrpcPort is not null)
        {
            builder.Services.AddGrpc(g => g.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, options.MaxRequestBytes));
            builder.Services.AddSingleton(_ => new GrpcInference(holder.Server!));
        }

        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(h => h.ShutdownTimeout = options.DrainTimeout); // the drain on SIGTERM
        Microsoft.Extensions.DependencyInjection.RequestDecompressionServiceExtensions.AddRequestDecompression(builder.Services); // gzip, deflate, br bodies; the size limit applies to the decompressed bytes
        var app = builder.Build();
        app.UseStatusCodePages(EmptyErrorAsJsonAsync);
        app.UseRequestDecompression();
        var server = new ServingServer(options, host, app);
        holder.Server = server;
        server.Map(app);
        if (options.GrpcPort is not null) app.MapGrpcService<GrpcInference>();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            host.Dispose();
            throw Errors.Config("--port", FormattableString.Invariant($"{options.Host}:{options.Port} is already in use; stop what listens there or pick another port (0 picks a free one)."));
        }
        server.GrpcUrl = grpcEndpoint is null ? null : FormattableString.Invariant($"http://{(grpcEndpoint.IPEndPoint is { } ip ? ip.ToString() : $"localhost:{options.GrpcPort}")}");
        server._poll = host.PollAsync(server._stop.Token);
        return server;
    }

    // Routing answers an unknown path (404) or method (405) with no body; clients parse every error as JSON.
    private static async Task EmptyErrorAsJsonAsync(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var http = context.HttpContext;
        var message = http.Response.StatusCode switch
        {
            404 => $"no endpoint {http.Request.Method} {http.Request.Path}; the server answers /v2, /v2/models/NAME[/infer], /v1/models/NAME:predict, /invocations, /ping, /metrics.",
            405 => $"{http.Request.Method} is not allowed on {http.Request.Path}; inference is POST, metadata and health are GET.",
            var other => $"HTTP {other}.",
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["error"] = message });
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        await _poll;
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_log is not null) await _log.DisposeAsync();
        _host.Dispose();
        _stop.Dispose();
    }

    private void Map(WebApplication app)
    {
        app.MapMethods("/v2", ReadMethods, () => Json(w =>
        {
            w.WriteString("name", "mlops");
            w.WriteString("version", Artifacts.ToolInfo.Version);
            w.WriteStartArray("extensions");
            foreach (var e in Extensions) w.WriteStringValue(e);
            w.WriteEndArray();
        }));
        // Health answers carry bodies ({"live": true}): KServe's client reads them as JSON.
        app.MapMethods("/v2/health/live", ReadMethods, () => Json(w => w.WriteBoolean("live", true)));
        app.MapMethods("/v2/health/ready", ReadMethods, () => Json(w => w.WriteBoolean("ready", AllLoaded), AllLoaded ? 200 : 503));

        // MLflow's scoring server: its client waits on /ping; /health is the same; /version names the server.
        app.MapMethods("/ping", ReadMethods, () => new JsonBytes("\n"u8.ToArray(), AllLoaded ? 200 : 404));
        app.MapMethods("/health", ReadMethods, () => new JsonBytes("\n"u8.ToArray(), AllLoaded ? 200 : 404));
        app.MapMethods("/version", ReadMethods, () => new JsonBytes(System.Text.Encoding.UTF8.GetBytes(Artifacts.ToolInfo.Version), 200));
        app.MapMethods("/v2/models/{name}", ReadMethods, (string name) => Metadata(name, null));
        app.MapMethods("/v2/models/{name}/versions/{version}", ReadMethods, (string name, string version) => Metadata(name, version));
        app.MapMethods("/v2/models/{name}/ready", ReadMethods, (string name) => Ready(name, null));
        app.MapMethods("/v2/models/{name}/versions/{version}/ready", ReadMethods, (string name, string version) => Ready(name, version));
        app.MapPost("/v2/models/{name}/infer", (HttpContext c, string name) => InferAsync(c, name, null, Protocol.V2));
        app.MapPost("/v2/models/{name}/versions/{version}/infer", (HttpContext c, string name, string version) => InferAsync(c, name, version, Protocol.V2));
        app.MapPost("/v1/models/{name}:predict", (HttpContext c, string name) => InferAsync(c, name, null, Protocol.V1));
        app.MapPost("/invocations", (HttpContext c) => InferAsync(c, _host.Slots.Count == 1 ? _host.Slots.First().Name : string.Empty, null, Protocol.MlFlow));
        app.MapPost("/v2/repository/models/{name}/load", (HttpContext c, string name) => AdminAsync(c, async ct =>
        {
            var slot = _host.Find(name) ?? throw new BadRequestException($"model '{name}' is not served.", 404);
            await _host.RefreshAsync(slot, ct);
            return Json(w => w.WriteString("version", slot.Current?.Version));
        }));
        app.MapPost("/v2/repository/models/{name}/unload", (HttpContext c, string name) => AdminAsync(c, ct =>
        {
            var slot = _host.Find(name) ?? throw new BadRequestException($"model '{name}' is not served.", 404);
            slot.Unload();
            return Task.FromResult(Json(w => w.WriteString("name", name)));
        }));

        // The repository extension's index: every model this server can serve and its state.
        app.MapPost("/v2/repository/index", () => JsonBody(w =>
        {
            w.WriteStartArray();
            foreach (var slot in _host.Slots)
            {
                w.WriteStartObject();
                w.WriteString("name", slot.Name);
                if (slot.Current is { } current) w.WriteString("version", current.Version);
                w.WriteString("state", slot.Current is null ? "UNAVAILABLE" : "READY");
                w.WriteString("reason", slot.Current is null ? "unloaded" : string.Empty);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }));
        app.MapPut("/admin/models/{name}/canary", (HttpContext c, string name) => AdminAsync(c, async ct =>
        {
            var slot = _host.Find(name) ?? throw new BadRequestException($"model '{name}' is not served.", 404);
            using var body = await ReadJsonAsync(c, ct);
            var reference = body.RootElement.TryGetProperty("version", out var v) ? v.ToString() : throw new BadRequestException("\"version\" (a version number or an alias) is required.");
            var percent = body.RootElement.TryGetProperty("percent", out var p) && p.TryGetDouble(out var pv) && pv is >= 0 and <= 100 ? pv : throw new BadRequestException("\"percent\" must be a number from 0 to 100.");
            var watch = body.RootElement.TryGetProperty("watch", out var wv) && (wv.ValueKind is JsonValueKind.True or JsonValueKind.False ? wv.GetBoolean() : throw new BadRequestException("\"watch\" must be true or false."));
            var loaded = await _host.SetCanaryAsync(slot, reference, percent, ct, watch);
            return Json(w => { w.WriteString("canary", loaded); w.WriteNumber("percent", percent); w.WriteBoolean("watch", watch); });
        }));
        // What mlops deploy --canary --analyze compares: each version's answers since the watched canary started.
        app.MapGet("/admin/models/{name}/canary", (HttpContext c, string name) => AdminAsync(c, ct =>
        {
            var slot = _host.Find(name) ?? throw new BadRequestException($"model '{name}' is not served.", 404);
            var canary = slot.CanaryVersion;
            return Task.FromResult(Json(w =>
            {
                w.WriteString("model", slot.Name);
                if (slot.Current is { } current) w.WriteString("current", current.Version);
                if (canary is null)
                {
                    w.WriteNull("canary");
                    return;
                }

                w.WriteString("canary", canary.Handle.Version);
                w.WriteNumber("percent", canary.Percent);
                if (canary.Watch is { } watch)
                {
                    w.WriteStartObject("watch");
                    watch.WriteSummary(w);
                    w.WriteEndObject();
                }
            }));
        }));
        app.MapGet("/admin/models/{name}/canary/predictions/{version}", (HttpContext c, string name, string version) => AdminAsync(c, ct =>
        {
            var slot = _host.Find(name) ?? throw new BadRequestException($"model '{name}' is not served.", 404);
            var watch = slot.CanaryVersion?.Watch ?? throw new BadRequestException($"'{name}' has no watched canary; start one with PUT /admin/models/{name}/canary {{\"watch\": true}}.", 404);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                if (!watch.WritePredictions(version, w)) throw new BadRequestException($"v{version} of '{name}' has answered no rows since the canary started.", 404);
            }

            return Task.FromResult<IResult>(new JsonBytes(buffer.WrittenMemory, 200));
        }));
        app.MapDelete("/admin/models/{name}/canary", (HttpContext c, string name) => AdminAsync(c, async ct =>
        {
            var slot = _host.Find(name) ?? throw new BadRequestException($"model '{name}' is not served.", 404);
            await _host.SetCanaryAsync(slot, string.Empty, 0, ct);
            return Results.NoContent();
        }));
        app.MapMethods("/metrics", ReadMethods, () => Results.Text(_metrics.Render(_host.Slots), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapFallback((HttpContext c) => AllowedMethods(c) is { Count: > 0 } allowed
            ? WithAllow(c, allowed, Error(405, $"{c.Request.Method} is not allowed on {c.Request.Path}; it answers {string.Join(", ", allowed)}."))
            : Error(404, $"no endpoint {c.Request.Method} {c.Request.Path}; see /v2 (Open Inference Protocol), /v1/models/NAME:predict, /invocations, /metrics."));
    }

    // The methods other endpoints take on this path: a path that exists with another method is 405, not 404.
    private static List<string> AllowedMethods(HttpContext context)
    {
        var methods = new List<string>();
        foreach (var endpoint in context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.RoutePattern.RawText is not { } raw || raw.Contains("{*", StringComparison.Ordinal)) continue;
            var matcher = new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(raw), new RouteValueDictionary());
            if (!matcher.TryMatch(context.Request.Path, new RouteValueDictionary())) continue;
            methods.AddRange(endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []);
        }

        return methods.Distinct(StringComparer.Ordinal).ToList();
    }

    private static IResult WithAllow(HttpContext context, IReadOnlyList<string> allowed, IResult result)
    {
        context.Response.Headers.Allow = string.Join(", ", allowed);
        return result;
    }

    // Every read endpoint answers HEAD too (HTTP semantics; some load balancers probe with it).
    private static readonly string[] ReadMethods = ["GET", "HEAD"];

    private enum Protocol
    {
        V2,
        V1,
        MlFlow,
    }

    private async Task InferAsync(HttpContext context, string name, string? version, Protocol protocol)
    {
        var started = Stopwatch.GetTimestamp();
        var slot = _host.Find(name);
        if (slot is null)
        {
            await WriteError(context, 404, protocol, protocol == Protocol.MlFlow
                ? $"/invocations serves a single model; this server has {string.Join(", ", _host.Slots.Select(s => s.Name))}: use /v1/models/NAME:predict."
                : $"model '{name}' is not served here; served: {string.Join(", ", _host.Slots.Select(s => s.Name))}.");
            return;
        }

        var handle = version is null ? slot.Acquire(Random.Shared.NextDouble() * 100) : AcquireVersion(slot, version);
        if (handle is null)
        {
            await WriteError(context, 404, protocol, version is null ? $"model '{name}' is not loaded." : $"version {version} of '{name}' is not loaded; serving {slot.Current?.Version}{(slot.CanaryVersion is { } k ? $" and canary {k.Handle.Version}" : string.Empty)}.");
            return;
        }

        var status = 200;
        var rows = 0;
        var watch = slot.CanaryVersion?.Watch;
        try
        {
            // The decompression middleware removes the header of what it decoded: what is left, it could not.
            if (context.Request.Headers.ContentEncoding is { Count: > 0 } encoding && !encoding.ToString().Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                throw new BadRequestException($"the Content-Encoding '{encoding}' is not supported; send gzip, deflate, br or an uncompressed body.", 415);
            }

            // MLflow's scoring server also takes a pandas DataFrame as CSV.
            var csv = protocol == Protocol.MlFlow && context.Request.ContentType is { } type && type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase);
            JsonDocument? converted = null;
            if (protocol == Protocol.V2 && BinaryTensorData.Applies(context.Request))
            {
                using var binary = await BinaryTensorData.ReadAsync(context.Request, context.RequestAborted);
                if (handle.Scorer is OnnxScorer direct && BinaryTensorData.RawInputs(binary) is { } raws && TensorInference.Applies(direct, raws.Select(r => (string?)r.Name).ToList()))
                {
                    // An ONNX model's own tensors in binary: bytes in, bytes out, no JSON between.
                    var outputs = RawTensorInference.Infer(direct, raws, BinaryTensorData.RequestedOutputs(binary.Header.RootElement), _options.MaxRows, out rows);
                    var (answer, headerLength) = BinaryTensorData.Answer(handle, outputs, binary.Header.RootElement);
                    if (headerLength is { } length) context.Response.Headers[BinaryTensorData.HeaderLength] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    context.Response.ContentType = headerLength is null ? "application/json" : "application/octet-stream";
                    context.Response.ContentLength = answer.Length;
                    await context.Response.Body.WriteAsync(answer, context.RequestAborted);
                    return;
                }

                converted = BinaryTensorData.ToJson(binary);
            }

            using var body = csv ? JsonDocument.Parse("{}")
                : converted ?? await ReadJsonAsync(context, context.RequestAborted, mlflow: protocol == Protocol.MlFlow);
            if (protocol == Protocol.V2 && handle.Scorer is OnnxScorer onnx && TensorInference.Applies(onnx, body.RootElement))
            {
                // The model's own tensors, as KServe and Triton clients send them.
                var tensors = new System.Buffers.ArrayBufferWriter<byte>();
                await using (var tw = new Utf8JsonWriter(tensors))
                {
                    TensorInference.Infer(tw, handle, onnx, body.RootElement, _options.MaxRows, out rows);
                }

                await WriteV2Async(context, tensors.WrittenMemory, body.RootElement);
                return;
            }

            if (handle.Scorer.RowsUnavailable is { } unavailable) throw new BadRequestException($"this model cannot score rows: {unavailable}");
            var inputs = handle.Scorer.Inputs;
            var table = csv ? await CsvRows.ReadAsync(context.Request.Body, inputs, _options.MaxRows, context.RequestAborted) : protocol switch
            {
                Protocol.V2 => RequestRows.FromV2(body.RootElement, inputs, _options.MaxRows),
                Protocol.V1 => body.RootElement.TryGetProperty("instances", out var instances)
                    ? RequestRows.FromRecords(instances, inputs, _options.MaxRows, "instances")
                    : throw new BadRequestException("the body must be {\"instances\": [ {column: value, ...}, ... ]}."),
                _ => MlFlowTable(body.RootElement, inputs),
            };
            rows = table.RowCount;
            var all = new int[rows];
            for (var i = 0; i < rows; i++) all[i] = i;
            Predictions predictions;
            try
            {
                predictions = handle.Scorer.Score(table, all);
            }
            catch (DataException e)
            {
                throw new BadRequestException(e.Message);
            }

            // Non-finite outputs cannot be written as JSON numbers: refuse them whole, never a truncated 200.
            var (nonFinite, firstRows) = MlOps.Metrics.MetricCalculator.NonFinite(predictions);
            if (nonFinite > 0)
            {
                throw new BadRequestException(FormattableString.Invariant($"the model gave {nonFinite} non-finite outputs (NaN or infinite), first at rows {string.Join(", ", firstRows)} of the request (0-based); missing or extreme inputs reach a model without an imputer."), 500);
            }

            watch?.Predicted(handle.Version, predictions);

            // The whole body is produced before the status is sent.
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            await using (var w = new Utf8JsonWriter(buffer))
            {
                switch (protocol)
                {
                    case Protocol.V2:
                        PredictionJson.WriteV2(w, handle, predictions, body.RootElement);
                        break;
                    case Protocol.V1:
                        PredictionJson.WriteRows(w, predictions);
                        break;
                    default:
                        PredictionJson.WriteMlFlow(w, predictions, _options.MlFlowAnswer);
                        break;
                }
            }

            // The id labels join on when the truth arrives later (mlops monitor --labels): returned, and logged.
            var requestId = RequestId(context, body.RootElement);
            context.Response.Headers["X-Request-Id"] = requestId;
            if (protocol == Protocol.V2)
            {
                await WriteV2Async(context, buffer.WrittenMemory, body.RootElement);
            }
            else
            {
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = buffer.WrittenCount;
                await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
            }
            if (_log is not null && _log.Sample()) LogPrediction(handle, table, predictions, requestId);
        }
        catch (BadRequestException e)
        {
            status = e.Status;
            await WriteError(context, e.Status, protocol, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            status = e.StatusCode;
            await WriteError(context, e.StatusCode, protocol, e.StatusCode == 413 ? $"the request is larger than {_options.MaxRequestBytes:N0} bytes; send fewer rows per request." : e.Message);
        }
        finally
        {
            handle.Release();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            _metrics.Record(name, handle.Version, protocol.ToString().ToLowerInvariant(), status, seconds, rows);
            watch?.Answered(handle.Version, status, seconds);
        }
    }

    // A V2 answer as JSON, or with the outputs the request asked for as binary tensor data after the JSON.
    private static async Task WriteV2Async(HttpContext context, ReadOnlyMemory<byte> json, JsonElement request)
    {
        if (BinaryTensorData.Wanted(request) is { } wanted && BinaryTensorData.Answer(json, wanted) is { } binary)
        {
            context.Response.Headers[BinaryTensorData.HeaderLength] = binary.HeaderLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = binary.Body.Length;
            await context.Response.Body.WriteAsync(binary.Body, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    private Table MlFlowTable(JsonElement body, IReadOnlyList<ModelInput> inputs)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new BadRequestException("the body must be a JSON object with one of dataframe_split, dataframe_records, instances or inputs.");
        if (body.TryGetProperty("dataframe_split", out var split)) return RequestRows.FromSplit(split, inputs, _options.MaxRows);
        if (body.TryGetProperty("dataframe_records", out var records)) return RequestRows.FromRecords(records, inputs, _options.MaxRows, "dataframe_records", lenient: true);
        foreach (var field in new[] { "instances", "inputs" })
        {
            if (!body.TryGetProperty(field, out var value)) continue;
            return value.ValueKind == JsonValueKind.Object ? RequestRows.FromColumns(value, inputs, _options.MaxRows, field) : RequestRows.FromRecords(value, inputs, _options.MaxRows, field, lenient: true);
        }

        throw new BadRequestException("the body must have one of dataframe_split, dataframe_records, instances or inputs (MLflow's scoring formats).");
    }

    private void LogPrediction(ModelHandle handle, Table table, Predictions predictions, string requestId)
    {
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        _log!.Write(w => Inference.PredictionLogEntry.Write(w, requestId, handle.Name, handle.Version, table, table.Columns.Select(c => c.Name).ToList(), rows, predictions, rows));
    }

    // The V2 body's "id", else the caller's X-Request-Id (a proxy's), else a new one; a client's id is
    // kept only when it is short printable ASCII, since it is echoed in a header and written to the log.
    private static string RequestId(HttpContext context, JsonElement body)
    {
        static bool Plain(string? id) => id is { Length: > 0 and <= 128 } && id.All(c => c is > ' ' and < (char)127);
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("id", out var v) && v.ValueKind == JsonValueKind.String && Plain(v.GetString())) return v.GetString()!;
        var header = context.Request.Headers["X-Request-Id"].ToString();
        return Plain(header) ? header : Guid.NewGuid().ToString("N");
    }

    private static ModelHandle? AcquireVersion(ModelSlot slot, string version) =>
        slot.Loaded(version) is { } h && h.TryAcquire() ? h : null;

    private IResult Metadata(string name, string? version)
    {
        if (_host.Find(name) is not { Current: { } current } slot) return Error(404, $"model '{name}' is not served here.");
        var handle = version is null ? current : slot.Loaded(version);
        if (handle is null) return Error(404, $"version {version} of '{name}' is not loaded.");
        return Json(w =>
        {
            w.WriteString("name", name);
            w.WriteStartArray("versions");
            w.WriteStringValue(current.Version);
            if (slot.CanaryVersion is { } k && k.Handle.Version != current.Version) w.WriteStringValue(k.Handle.Version);
            w.WriteEndArray();
            w.WriteString("platform", handle.Scorer.Format == "onnx" ? "onnxruntime_onnx" : "mlnet");
            if (version is null && slot.Alias is not null && slot.Status is { } status)
            {
                // An extension object (clients ignore unknown fields): which version is served and whether it is the alias's.
                w.WriteStartObject("mlops");
                w.WriteString("alias", slot.Alias);
                w.WriteString("aliasVersion", status.AliasVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("servedVersion", current.Version);
                w.WriteBoolean("inSync", slot.InSync);
                if (status.LastError is { } error) w.WriteString("loadError", error);
                if (status.RetryAt is { } retry) w.WriteString("nextAttempt", retry);
                w.WriteEndObject();
            }

            if (handle.Scorer is OnnxScorer onnx && ServesTensors(onnx))
            {
                // The graph's real signature: what KServe and Triton clients build their requests from.
                WriteSpecs(w, "inputs", onnx.Signature.Inputs);
                WriteSpecs(w, "outputs", onnx.Signature.Outputs);
                return;
            }

            w.WriteStartArray("inputs");
            foreach (var i in handle.Scorer.Inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", i.Name);
                w.WriteString("datatype", i.Kind == ColumnKind.Numeric ? "FP32" : "BYTES");
                w.WriteStartArray("shape");
                w.WriteNumberValue(-1);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var (output, datatype) in PredictionJson.Outputs(handle.Scorer.Task))
            {
                w.WriteStartObject();
                w.WriteString("name", output);
                w.WriteString("datatype", datatype);
                w.WriteStartArray("shape");
                w.WriteNumberValue(-1);
                if (output == "probabilities") w.WriteNumberValue(-1);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    // One input per column is the tabular view; a matrix (or any input rows cannot feed) is served as the graph's own tensors.
    private static bool ServesTensors(OnnxScorer onnx) =>
        onnx.RowsUnavailable is not null || onnx.Mapping!.Inputs.Any(i => i.From != ModelMapping.From.InputName);

    private static void WriteSpecs(Utf8JsonWriter w, string property, IReadOnlyList<TensorSpec> specs)
    {
        w.WriteStartArray(property);
        foreach (var spec in specs)
        {
            w.WriteStartObject();
            w.WriteString("name", spec.Name);
            w.WriteString("datatype", spec.Datatype);
            w.WriteStartArray("shape");
            foreach (var d in spec.Shape) w.WriteNumberValue(d < 0 ? -1 : d);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Every served model has a version loaded.</summary>
    internal bool AllLoaded => _host.Slots.All(s => s.Current is not null);

    /// <summary>The model (and version, when given) is loaded.</summary>
    internal bool IsReady(string name, string? version) => _host.Find(name) is { Current: not null } slot && (version is null || slot.Loaded(version) is not null);

    /// <summary>
    /// A V2 request answered in process, exactly as over REST (validation, scoring, metrics, the
    /// prediction log): how gRPC shares one implementation with the REST routes.
    /// </summary>
    internal Task<(int Status, byte[] Body)> InferV2Async(string name, string? version, byte[] body, CancellationToken cancellationToken) =>
        InProcessAsync(
            context =>
            {
                context.Request.Method = "POST";
                context.Request.ContentType = "application/json";
                context.Request.Body = new MemoryStream(body, writable: false);
                context.RequestAborted = cancellationToken;
                return InferAsync(context, name, version, Protocol.V2);
            });

    /// <summary>The V2 metadata JSON of a model (and version), with its status.</summary>
    internal Task<(int Status, byte[] Body)> MetadataV2Async(string name, string? version) =>
        InProcessAsync(context => Metadata(name, version).ExecuteAsync(context));

    // Runs a route's handler on a request made in process and returns what it answered.
    private static async Task<(int Status, byte[] Body)> InProcessAsync(Func<HttpContext, Task> handle)
    {
        var context = new DefaultHttpContext();
        using var response = new MemoryStream();
        context.Response.Body = response;
        await handle(context);
        return (context.Response.StatusCode, response.ToArray());
    }

    private IResult Ready(string name, string? version)
    {
        var ready = IsReady(name, version);
        return Json(w => { w.WriteString("name", name); w.WriteBoolean("ready", ready); }, ready ? 200 : 404);
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions k, string host, int port, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> configure)
    {
        if (host == "localhost") k.ListenLocalhost(port, configure);
        else k.Listen(System.Net.IPAddress.Parse(host.Trim('[', ']')), port, configure);
    }

    private sealed class ServerHolder
    {
        public ServingServer? Server { get; set; }
    }

    private async Task<IResult> AdminAsync(HttpContext context, Func<CancellationToken, Task<IResult>> action)
    {
        if (_options.AdminToken is not { Length: > 0 } token) return Error(403, "admin endpoints are off; start mlops serve with MLOPS_ADMIN_TOKEN set to enable them.");
        var given = context.Request.Headers.Authorization.ToString();
        var expected = "Bearer " + token;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected))) return Error(401, "admin endpoints need 'Authorization: Bearer <MLOPS_ADMIN_TOKEN>'.");
        try
        {
            return await action(context.RequestAborted);
        }
        catch (BadRequestException e)
        {
            return Error(e.Status, e.Message);
        }
        catch (MlOpsException e)
        {
            return Error(e.ExitCode == ExitCodes.ExternalServiceError ? 502 : 400, e.Message);
        }
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpContext context, CancellationToken cancellationToken, bool mlflow = false)
    {
        try
        {
            if (!mlflow) return await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);

            // Bounded by Kestrel's MaxRequestBodySize, so buffering the body is safe.
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            return JsonDocument.Parse(MlFlowJson.ReplaceNonFiniteTokens(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"the body is not valid JSON ({e.Message.Split('\n')[0]}).");
        }
    }

    private static IResult Json(Action<Utf8JsonWriter> write, int status = 200) => JsonBody(
        w =>
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        },
        status);

    private static IResult JsonBody(Action<Utf8JsonWriter> write, int status = 200)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer)) write(w);
        return new JsonBytes(buffer.WrittenMemory, status);
    }

    private static IResult Error(int status, string message) =>
        new JsonBytes(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["error"] = message }), status);

    private static async Task WriteError(HttpContext context, int status, Protocol protocol, string message)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;

        // Exactly application/json: KServe's client compares the content type as a whole. MLflow's
        // clients read MLflow's own error shape on /invocations.
        context.Response.ContentType = "application/json";
        var body = protocol == Protocol.MlFlow
            ? new Dictionary<string, string> { ["error_code"] = MlFlowErrorCode(status), ["message"] = message }
            : new Dictionary<string, string> { ["error"] = message };
        await context.Response.Body.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body));
    }

    // MLflow's error codes (databricks.proto) for the statuses /invocations answers with.
    private static string MlFlowErrorCode(int status) => status switch
    {
        400 or 413 or 415 => "BAD_REQUEST",
        404 => "RESOURCE_DOES_NOT_EXIST",
        _ => "INTERNAL_ERROR",
    };

    // A JSON answer written as it was produced, with its status and exactly "application/json"
    // (KServe's client compares the content type whole; Results.Json would add a charset).
    private sealed class JsonBytes(ReadOnlyMemory<byte> body, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
