using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Serving;
using MlOps.Serving.Grpc;
using MlOps.Tests.Support;

namespace MlOps.Tests.Serving;

/// <summary>
/// Every Open Inference Protocol datatype through an ONNX graph of Identity nodes (one input and
/// one output per datatype, [N, 3]), over gRPC with raw_input_contents (tritonclient's default),
/// gRPC with typed contents (KServe's client), REST JSON and REST binary tensor data: each answer
/// is the request's values bit for bit, decoded here independently of the server's code.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TensorDatatypeTests : IAsyncLifetime
{
    // ONNX TensorProto element types.
    private static readonly (string Datatype, int OnnxType, string[] Values)[] Types =
    [
        ("BOOL", 9, ["true", "false", "true", "false", "false", "true"]),
        ("UINT8", 2, ["0", "1", "127", "128", "254", "255"]),
        ("UINT16", 4, ["0", "1", "300", "32768", "65534", "65535"]),
        ("UINT32", 12, ["0", "1", "70000", "2147483648", "4294967294", "4294967295"]),
        ("UINT64", 13, ["0", "1", "4294967296", "9223372036854775808", "18446744073709551614", "18446744073709551615"]),
        ("INT8", 3, ["-128", "-1", "0", "1", "100", "127"]),
        ("INT16", 5, ["-32768", "-1", "0", "1", "1000", "32767"]),
        ("INT32", 6, ["-2147483648", "-1", "0", "1", "123456", "2147483647"]),
        ("INT64", 7, ["-9223372036854775808", "-1", "0", "1", "1234567890123", "9223372036854775807"]),
        ("FP16", 10, ["-65504", "-1.5", "0", "0.25", "1024", "65504"]),
        ("FP32", 1, ["-3.4028235E+38", "-1.5", "0", "1E-07", "3.1415927", "3.4028235E+38"]),
        ("FP64", 11, ["-1.7976931348623157E+308", "-1.5", "0", "5E-324", "3.141592653589793", "1.7976931348623157E+308"]),
        ("BYTES", 8, ["", "a", "Zürich", "日本", "with space", "\"quoted\""]),
    ];

    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ServingServer _server = null!;
    private GrpcChannel _channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        // "typed" leaves FP16 out: it has no typed contents field, and raw contents are all or nothing.
        var all = _dir.Bytes("identity.onnx", Identity(Types));
        var typed = _dir.Bytes("typed.onnx", Identity(Types.Where(t => t.Datatype != "FP16")));
        _server = await ServingServer.StartAsync(new ServeOptions { Models = [new ModelSpec("id", null, all), new ModelSpec("typed", null, typed)], Task = null, CacheDirectory = _dir.Combine("cache"), PollInterval = TimeSpan.Zero, Port = 0, GrpcPort = 0 }, _ => { });
        _channel = GrpcChannel.ForAddress(_server.GrpcUrl!);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    private static byte[] Identity(IEnumerable<(string Datatype, int OnnxType, string[] Values)> types) =>
        OnnxWriter.Exported("mlops-tests", new Dictionary<string, long> { [string.Empty] = 13 }, g =>
        {
            var list = types.ToList();
            foreach (var (datatype, _, _) in list) g.Node("Identity", [$"in_{datatype}"], $"out_{datatype}");
            g.String(2, "identity");
            foreach (var (datatype, type, _) in list) g.Value(11, $"in_{datatype}", type, -1, 3);
            foreach (var (datatype, type, _) in list) g.Value(12, $"out_{datatype}", type, -1, 3);
        });

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Raw_contents_come_back_bit_for_bit_for_every_datatype()
    {
        var request = Request(raw: true);
        var response = await _client.ModelInferAsync(request);
        Assert.Equal(Types.Length, response.Outputs.Count);
        foreach (var (datatype, _, values) in Types)
        {
            var i = response.Outputs.Select(o => o.Name).ToList().IndexOf($"out_{datatype}");
            Assert.True(i >= 0, datatype);
            Assert.Equal(datatype, response.Outputs[i].Datatype);
            Assert.Equal([2L, 3L], response.Outputs[i].Shape);
            Assert.True(Encode(datatype, values).SequenceEqual(response.RawOutputContents[i].ToByteArray()), $"{datatype}: the answer differs from the request");
        }
    }

    [Fact]
    public async Task Typed_contents_give_the_same_answer_as_raw_ones()
    {
        var typed = Request(raw: false);
        var response = await _client.ModelInferAsync(typed);
        Assert.Equal(Types.Length - 1, response.Outputs.Count);
        foreach (var (datatype, _, values) in Types.Where(t => t.Datatype != "FP16"))
        {
            var i = response.Outputs.Select(o => o.Name).ToList().IndexOf($"out_{datatype}");
            Assert.True(Encode(datatype, values).SequenceEqual(response.RawOutputContents[i].ToByteArray()), datatype);
        }

        // A typed value outside its datatype's range is refused by name.
        var bad = Request(raw: false);
        var int8 = bad.Inputs.Single(t => t.Name == "in_INT8");
        int8.Contents.IntContents[0] = 300;
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(bad).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("input 'in_INT8' element 0: 300 is not a INT8 value.", e.Status.Detail);
    }

    [Fact]
    public async Task Rest_json_and_rest_binary_answer_the_same_values()
    {
        // JSON: numbers and strings as tritonclient.http writes them.
        var body = new StringBuilder("{\"inputs\":[");
        body.AppendJoin(',', Types.Select(t => $"{{\"name\":\"in_{t.Datatype}\",\"datatype\":\"{t.Datatype}\",\"shape\":[2,3],\"data\":[{string.Join(',', t.Values.Select(v => Json(t.Datatype, v)))}]}}"));
        body.Append("]}");
        using var response = await _http.PostAsync(_server.Url + "/v2/models/id/infer", new StringContent(body.ToString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var outputs = JsonDocument.Parse(text).RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        foreach (var (datatype, _, values) in Types)
        {
            var data = outputs[$"out_{datatype}"].GetProperty("data").EnumerateArray().ToList();
            Assert.True(Encode(datatype, values).SequenceEqual(Encode(datatype, data.Select(d => d.ValueKind == JsonValueKind.String ? d.GetString()! : d.GetRawText()).ToArray())), $"{datatype}: {string.Join(", ", data)}");
        }

        // Binary tensor data: the JSON header, then each input's raw bytes, outputs asked back as binary.
        var header = new StringBuilder("{\"inputs\":[");
        header.AppendJoin(',', Types.Select(t => $"{{\"name\":\"in_{t.Datatype}\",\"datatype\":\"{t.Datatype}\",\"shape\":[2,3],\"parameters\":{{\"binary_data_size\":{Encode(t.Datatype, t.Values).Length}}}}}"));
        header.Append("],\"outputs\":[");
        header.AppendJoin(',', Types.Select(t => $"{{\"name\":\"out_{t.Datatype}\",\"parameters\":{{\"binary_data\":true}}}}"));
        header.Append("]}");
        var json = Encoding.UTF8.GetBytes(header.ToString());
        var payload = json.Concat(Types.SelectMany(t => Encode(t.Datatype, t.Values))).ToArray();
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var binary = await _http.PostAsync(_server.Url + "/v2/models/id/infer", content);
        var bytes = await binary.Content.ReadAsByteArrayAsync();
        Assert.True(binary.IsSuccessStatusCode, Encoding.UTF8.GetString(bytes));
        var length = int.Parse(binary.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var answer = JsonDocument.Parse(bytes.AsMemory(0, length)).RootElement;
        var offset = length;
        foreach (var o in answer.GetProperty("outputs").EnumerateArray())
        {
            var datatype = o.GetProperty("datatype").GetString()!;
            var size = o.GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
            var expected = Encode(datatype, Types.Single(t => t.Datatype == datatype).Values);
            Assert.True(expected.SequenceEqual(bytes.AsSpan(offset, size).ToArray()), $"binary {datatype}");
            offset += size;
        }

        Assert.Equal(bytes.Length, offset);
    }

    [Fact]
    public async Task Raw_bytes_that_do_not_fit_the_shape_are_invalid_argument_naming_the_input()
    {
        var request = Request(raw: true);
        var i = request.Inputs.Select(t => t.Name).ToList().IndexOf("in_INT32");
        request.RawInputContents[i] = ByteString.CopyFrom(new byte[20]);
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("input 'in_INT32': 20 raw bytes for shape [2, 3]: expected 6 INT32 elements of 4 bytes (24 bytes).", e.Status.Detail);

        var nan = Request(raw: true);
        var f = nan.Inputs.Select(t => t.Name).ToList().IndexOf("in_FP32");
        var values = new byte[24];
        BinaryPrimitives.WriteSingleLittleEndian(values.AsSpan(8), float.NaN);
        nan.RawInputContents[f] = ByteString.CopyFrom(values);
        e = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(nan).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("input 'in_FP32': NaN or infinity", e.Status.Detail, StringComparison.Ordinal);
    }

    private static ModelInferRequest Request(bool raw)
    {
        var request = new ModelInferRequest { ModelName = raw ? "id" : "typed", Id = "types" };
        foreach (var (datatype, _, values) in Types.Where(t => raw || t.Datatype != "FP16"))
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = $"in_{datatype}", Datatype = datatype };
            input.Shape.AddRange([2, 3]);
            if (raw) request.RawInputContents.Add(ByteString.CopyFrom(Encode(datatype, values)));
            else input.Contents = Typed(datatype, values);
            request.Inputs.Add(input);
        }

        return request;
    }

    private static InferTensorContents Typed(string datatype, string[] values)
    {
        var c = new InferTensorContents();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var v in values)
        {
            switch (datatype)
            {
                case "BOOL": c.BoolContents.Add(bool.Parse(v)); break;
                case "UINT8" or "UINT16" or "UINT32": c.UintContents.Add(uint.Parse(v, inv)); break;
                case "UINT64": c.Uint64Contents.Add(ulong.Parse(v, inv)); break;
                case "INT8" or "INT16" or "INT32": c.IntContents.Add(int.Parse(v, inv)); break;
                case "INT64": c.Int64Contents.Add(long.Parse(v, inv)); break;
                case "FP32": c.Fp32Contents.Add(float.Parse(v, inv)); break;
                case "FP64": c.Fp64Contents.Add(double.Parse(v, inv)); break;
                default: c.BytesContents.Add(ByteString.CopyFromUtf8(v)); break;
            }
        }

        return c;
    }

    private static string Json(string datatype, string value) => datatype switch
    {
        "BYTES" => JsonSerializer.Serialize(value),
        _ => value,
    };

    // The protocol's raw layout, written here from the values' text: little-endian, BYTES length-prefixed.
    private static byte[] Encode(string datatype, string[] values)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        using var buffer = new MemoryStream();
        var e = new byte[8];
        foreach (var v in values)
        {
            int n;
            switch (datatype)
            {
                case "BOOL": e[0] = bool.Parse(v) ? (byte)1 : (byte)0; n = 1; break;
                case "UINT8": e[0] = byte.Parse(v, inv); n = 1; break;
                case "INT8": e[0] = (byte)sbyte.Parse(v, inv); n = 1; break;
                case "UINT16": BinaryPrimitives.WriteUInt16LittleEndian(e, ushort.Parse(v, inv)); n = 2; break;
                case "INT16": BinaryPrimitives.WriteInt16LittleEndian(e, short.Parse(v, inv)); n = 2; break;
                case "FP16": BinaryPrimitives.WriteHalfLittleEndian(e, Half.Parse(v, inv)); n = 2; break;
                case "UINT32": BinaryPrimitives.WriteUInt32LittleEndian(e, uint.Parse(v, inv)); n = 4; break;
                case "INT32": BinaryPrimitives.WriteInt32LittleEndian(e, int.Parse(v, inv)); n = 4; break;
                case "FP32": BinaryPrimitives.WriteSingleLittleEndian(e, float.Parse(v, inv)); n = 4; break;
                case "UINT64": BinaryPrimitives.WriteUInt64LittleEndian(e, ulong.Parse(v, inv)); n = 8; break;
                case "INT64": BinaryPrimitives.WriteInt64LittleEndian(e, long.Parse(v, inv)); n = 8; break;
                case "FP64": BinaryPrimitives.WriteDoubleLittleEndian(e, double.Parse(v, inv)); n = 8; break;
                default:
                    var text = Encoding.UTF8.GetBytes(v);
                    BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)text.Length);
                    buffer.Write(e, 0, 4);
                    buffer.Write(text);
                    continue;
            }

            buffer.Write(e, 0, n);
        }

        return buffer.ToArray();
    }
}
