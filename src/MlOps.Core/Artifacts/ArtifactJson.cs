using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Artifacts;

/// <summary>The one JSON style of every artifact: camelCase, indented, nulls omitted, NaN as a string.</summary>
public static class ArtifactJson
{
    /// <summary>Serializer options for artifacts.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Writes <paramref name="value"/> atomically.</summary>
    public static Task WriteAsync<T>(string path, T value, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, s => JsonSerializer.SerializeAsync(s, value, Options, cancellationToken), cancellationToken);

    /// <summary>Reads an artifact, checking its kind and schema version.</summary>
    /// <exception cref="DataException">The file is missing, not JSON, or another kind of artifact.</exception>
    public static async Task<T> ReadAsync<T>(string path, string kind, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw Errors.Data(path, "file not found.");
        try
        {
            await using var stream = File.OpenRead(path);
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var k) || k.GetString() != kind)
            {
                throw Errors.Data(path, $"not a {kind} artifact (its \"kind\" must be \"{kind}\").");
            }

            if (root.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out var version) && version > ArtifactKinds.SchemaVersion)
            {
                throw Errors.Data(path, $"schemaVersion {version} is newer than this mlops understands ({ArtifactKinds.SchemaVersion}); upgrade mlops.");
            }

            return root.Deserialize<T>(Options) ?? throw Errors.Data(path, "empty artifact.");
        }
        catch (JsonException e)
        {
            throw Errors.Data(path, $"invalid JSON ({e.Message.Split('\n')[0]}).");
        }
    }
}
