using System.Text;
using System.Text.Json;

namespace MlOps.Cli.Commands;

/// <summary>Writes one JSON document to the CLI's output (for <c>--json</c>).</summary>
internal static class JsonOutput
{
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(w);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
