namespace MlOps.Tests.Support;

/// <summary>What actions/setup puts on PATH: an <c>mlops</c> launcher for the mlops built with the tests.</summary>
public static class MlopsLauncher
{
    /// <summary>Writes the launcher into <paramref name="folder"/> and returns the folder, for PATH.</summary>
    public static string Create(string folder)
    {
        Directory.CreateDirectory(folder);
        var launcher = Path.Combine(folder, "mlops");
        File.WriteAllText(launcher, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "mlops.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }
}
