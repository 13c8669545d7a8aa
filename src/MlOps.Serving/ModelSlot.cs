namespace MlOps.Serving;

/// <summary>
/// A served model name: the current version and, optionally, a canary version that gets a share
/// of the traffic. Swaps are one atomic reference exchange.
/// </summary>
public sealed class ModelSlot(string name, string? alias)
{
    private ModelHandle? _current;
    private Canary? _canary;

    /// <summary>The model name in URLs.</summary>
    public string Name { get; } = name;

    /// <summary>The registry alias this slot follows, or null for a fixed file.</summary>
    public string? Alias { get; } = alias;

    /// <summary>The version answering most requests.</summary>
    public ModelHandle? Current => Volatile.Read(ref _current);

    /// <summary>The canary, if any.</summary>
    public Canary? CanaryVersion => Volatile.Read(ref _canary);

    /// <summary>The alias as last read from the registry and whether its version could be loaded; null before the first read or for a fixed file.</summary>
    public AliasStatus? Status { get; internal set; }

    /// <summary>True when the slot serves the version its alias points at (always, for a fixed file).</summary>
    public bool InSync => Status is not { AliasVersion: { } v } || Current?.Version == v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Stops serving: the current version and any canary are retired (disposed when idle); requests get 404 until a load.</summary>
    public void Unload()
    {
        Unloaded = true;
        Interlocked.Exchange(ref _current, null)?.Retire();
        SetCanary(null, 0);
    }

    /// <summary>True after an unload until the next load: polling leaves the slot alone.</summary>
    public bool Unloaded { get; private set; }

    /// <summary>Installs <paramref name="handle"/> as current; the previous one is retired (disposed when idle).</summary>
    public void Swap(ModelHandle handle)
    {
        Unloaded = false;
        Interlocked.Exchange(ref _current, handle)?.Retire();
    }

    /// <summary>Routes <paramref name="percent"/>% of requests to <paramref name="handle"/>; null removes the canary. A <paramref name="watch"/> starts counting what each version answers.</summary>
    public void SetCanary(ModelHandle? handle, double percent, CanaryWatch? watch = null) =>
        Interlocked.Exchange(ref _canary, handle is null ? null : new Canary(handle, percent, watch))?.Handle.Retire();

    /// <summary>The loaded handle (current or canary) of <paramref name="version"/>, or null.</summary>
    public ModelHandle? Loaded(string version) =>
        Current is { } c && c.Version == version ? c : CanaryVersion?.Handle is { } k && k.Version == version ? k : null;

    /// <summary>Picks the version for one request and acquires it; the caller must release it.</summary>
    /// <param name="draw">A uniform draw in [0, 100) deciding canary routing.</param>
    public ModelHandle? Acquire(double draw)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var canary = CanaryVersion;
            var handle = canary is not null && draw < canary.Percent ? canary.Handle : Current;
            if (handle is null) return null;
            if (handle.TryAcquire()) return handle;

            // Retired between the read and the acquire: the new one is already installed; read again.
        }

        return null;
    }

    /// <summary>
    /// What the alias points at, and while that version fails to load: the last error, how many
    /// attempts in a row failed, and when the next attempt is due (the back-off).
    /// </summary>
    public sealed record AliasStatus(int AliasVersion, string? LastError = null, int Failures = 0, DateTimeOffset? RetryAt = null);

    /// <summary>A canary version, its share of traffic in percent, and what is watched while it runs (null: nothing).</summary>
    public sealed record Canary(ModelHandle Handle, double Percent, CanaryWatch? Watch = null);
}
