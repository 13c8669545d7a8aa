using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Scoring;
using MlOps.Serving;
using MlOps.Tabular;

namespace MlOps.Deployment;

/// <summary>One smoke-test case: a row and what the model must answer.</summary>
public sealed record SmokeCase(JsonElement Input, JsonElement Expected);

/// <summary>One case's outcome.</summary>
public sealed record SmokeResult(int Case, bool Passed, string Detail);

/// <summary>Checks known rows against their expected answers, through the server or in-process.</summary>
public static class SmokeTest
{
    /// <summary>Reads [{"input": {...}, "expected": ...}, ...].</summary>
    /// <exception cref="DataException">The file is missing or not in that shape.</exception>
    public static IReadOnlyList<SmokeCase> Read(string path)
    {
        if (!File.Exists(path)) throw Errors.Data(path, "smoke-test file not found.");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw Errors.Data(path, "expected a JSON array of {\"input\": {column: value}, \"expected\": answer}.");
            return doc.RootElement.EnumerateArray().Select((c, i) =>
                c.ValueKind == JsonValueKind.Object && c.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object && c.TryGetProperty("expected", out var expected)
                    ? new SmokeCase(input.Clone(), expected.Clone())
                    : throw Errors.Data(path, $"case {i}: expected {{\"input\": {{column: value}}, \"expected\": answer}}.")).ToList();
        }
        catch (JsonException e)
        {
            throw Errors.Data(path, $"invalid JSON ({e.Message.Split('\n')[0]}).");
        }
    }

    /// <summary>Sends the cases to the server's V1 predict endpoint in one request.</summary>
    public static async Task<IReadOnlyList<SmokeResult>> RunRemoteAsync(HttpClient http, string server, string name, IReadOnlyList<SmokeCase> cases, ModelTask task, double tolerance, CancellationToken ct)
    {
        if (cases.Count == 0) return [];
        var body = new { instances = cases.Select(c => c.Input).ToList() };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync($"{server}/v1/models/{Uri.EscapeDataString(name)}:predict", body, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ExternalServiceException($"{server}: cannot reach the server for the smoke test ({e.Message}).", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode) return [new SmokeResult(0, false, $"HTTP {(int)response.StatusCode}: {await ServerClient.ErrorOf(response, ct)}")];
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var predictions = doc.RootElement.GetProperty("predictions").EnumerateArray().ToList();
            return cases.Select((c, i) => Check(i, c.Expected, task == ModelTask.Regression ? predictions[i].GetProperty("prediction") : predictions[i].GetProperty("label"), tolerance)).ToList();
        }
    }

    /// <summary>Scores the cases with a loaded model.</summary>
    public static IReadOnlyList<SmokeResult> RunLocal(IModelScorer scorer, IReadOnlyList<SmokeCase> cases, double tolerance)
    {
        if (cases.Count == 0) return [];
        Table table;
        try
        {
            table = RequestRows.FromRecords(JsonSerializer.SerializeToElement(cases.Select(c => c.Input)), scorer.Inputs, int.MaxValue, "smoke-test");
        }
        catch (BadRequestException e)
        {
            return [new SmokeResult(0, false, e.Message)];
        }

        var p = scorer.Score(table, Enumerable.Range(0, cases.Count).ToArray());
        return cases.Select((c, i) =>
        {
            using var answer = JsonDocument.Parse(p.Task switch
            {
                ModelTask.Binary => p.Probability![i] >= 0.5f ? "1" : "0",
                ModelTask.Multiclass => JsonSerializer.Serialize(p.Classes![p.PredictedClass(i)]),
                _ => p.Values![i].ToString("R", CultureInfo.InvariantCulture),
            });
            return Check(i, c.Expected, answer.RootElement, tolerance);
        }).ToList();
    }

    private static SmokeResult Check(int i, JsonElement expected, JsonElement actual, double tolerance)
    {
        var passed = expected.ValueKind == JsonValueKind.Number && actual.ValueKind == JsonValueKind.Number
            ? Math.Abs(expected.GetDouble() - actual.GetDouble()) <= tolerance
            : expected.ToString() == actual.ToString();
        return new SmokeResult(i, passed, $"case {i}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
    }
}
