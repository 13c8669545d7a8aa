using System.Text;
using System.Text.Json;
using MlOps.Serving;

namespace MlOps.Tests.Serving;

/// <summary>Python's json.dumps tokens for non-finite values, as MLflow's clients send them.</summary>
public sealed class MlFlowJsonTests
{
    [Fact]
    public void Non_finite_tokens_outside_strings_become_null_and_strings_stay_as_they_are()
    {
        const string body = """{"a": NaN, "b": "NaN and Infinity in a string", "c": -Infinity, "d": [Infinity, 1.5, NaN], "e": "quote \" NaN", "NaN": 2}""";
        using var doc = JsonDocument.Parse(MlFlowJson.ReplaceNonFiniteTokens(Encoding.UTF8.GetBytes(body)));
        var r = doc.RootElement;
        Assert.Equal(JsonValueKind.Null, r.GetProperty("a").ValueKind);
        Assert.Equal("NaN and Infinity in a string", r.GetProperty("b").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("c").ValueKind);
        Assert.Equal([JsonValueKind.Null, JsonValueKind.Number, JsonValueKind.Null], r.GetProperty("d").EnumerateArray().Select(e => e.ValueKind));
        Assert.Equal("quote \" NaN", r.GetProperty("e").GetString());
        Assert.Equal(2, r.GetProperty("NaN").GetInt32());
    }
}
