using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlOps.Tests.Support;

/// <summary>Starts a tool from tools/test-services/node_modules/.bin (installed by './build.sh test') and waits until it listens.</summary>
public static class NodeService
{
    public static string Bin(string name)
    {
        var bin = Path.Combine(Cli.RepoRoot, "tools", "test-services", "node_modules", ".bin", name);
        return File.Exists(bin) ? bin : throw new InvalidOperationException($"{name} is not installed at {bin}; run './build.sh test' (it runs npm ci in tools/test-services).");
    }

    public static async Task<Process> StartAsync(string name, IEnumerable<string> args, int port, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Bin(name)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && log.Count < 50) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && log.Count < 50) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
            catch (SocketException)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{name} did not start listening on port {port} within {timeout.TotalSeconds:0} s: {string.Join(" | ", log)}");
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
