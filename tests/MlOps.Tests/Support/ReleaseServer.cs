using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MlOps.Tests.Support;

/// <summary>
/// A GitHub release's download folder on 127.0.0.1: <c>/download/NAME</c> and <c>/mirror/NAME</c>
/// serve the archives, each request counted. The archive is what ./build.sh publish packs (files
/// at the top, mlops executable), except that its mlops runs the mlops built with the tests
/// instead of being a 150 MB self-contained build: what is under test is the download, the check,
/// the cache and the hand-over.
/// </summary>
public sealed class ReleaseServer : IAsyncDisposable
{
    private readonly WebApplication _server;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    private ReleaseServer(WebApplication server) => _server = server;

    /// <summary>Requests by path.</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>The download folder's URL.</summary>
    public string Url => _server.Urls.First() + "/download";

    /// <summary>A mirror of the same files.</summary>
    public string MirrorUrl => _server.Urls.First() + "/mirror";

    /// <summary>When set, every archive is served with this byte changed: a tampered or corrupted download.</summary>
    public bool Tamper { get; set; }

    /// <summary>Starts a server holding mlops-VERSION-RUNTIME.tar.gz for each runtime; writes SHA256SUMS into <paramref name="folder"/>.</summary>
    public static async Task<ReleaseServer> StartAsync(string folder, string version, params string[] runtimes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new ReleaseServer(builder.Build());
        var archive = Archive();
        var sums = new List<string>();
        foreach (var runtime in runtimes)
        {
            var name = $"mlops-{version}-{runtime}.tar.gz";
            server._files[name] = archive;
            sums.Add($"{Convert.ToHexStringLower(SHA256.HashData(archive))}  {name}");
        }

        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "SHA256SUMS"), string.Join("\n", sums) + "\n");
        server._server.Run(server.HandleAsync);
        await server._server.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        Requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        var name = path.Split('/').Last();
        if (!(path.StartsWith("/download/", StringComparison.Ordinal) || path.StartsWith("/mirror/", StringComparison.Ordinal)) || !_files.TryGetValue(name, out var bytes))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (Tamper)
        {
            bytes = (byte[])bytes.Clone();
            bytes[bytes.Length / 2] ^= 0xFF;
        }

        context.Response.ContentType = "application/gzip";
        await context.Response.Body.WriteAsync(bytes);
    }

    private static byte[] Archive()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            var launcher = $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "mlops.dll")}\" \"$@\"\n";
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "mlops")
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(launcher)),
            };
            tar.WriteEntry(entry);
        }

        return buffer.ToArray();
    }
}
