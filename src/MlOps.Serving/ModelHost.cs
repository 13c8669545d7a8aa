using MlOps.Registry;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Serving;

/// <summary>
/// Loads the served models and keeps them current: a moved alias is pulled (hash-verified),
/// loaded beside the old version, warmed with one request, then swapped in atomically; the old
/// version is released when its last request finishes.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly ServeOptions _options;
    private readonly ModelRegistry? _registry;
    private readonly Action<string> _log;
    private readonly Dictionary<string, ModelSlot> _slots = new(StringComparer.Ordinal); // fixed at construction
    private readonly IReadOnlyList<ModelSlot> _ordered;
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <summary>Creates the host; call <see cref="LoadAllAsync"/> before serving.</summary>
    public ModelHost(ServeOptions options, Action<string> log)
    {
        _options = options;
        _log = log;
        _registry = options.Registry is { } store ? new ModelRegistry(store) : null;
        foreach (var spec in options.Models) _slots[spec.Name] = new ModelSlot(spec.Name, spec.File is null ? spec.Alias ?? "production" : null);
        _ordered = _slots.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The served models.</summary>
    public IReadOnlyList<ModelSlot> Slots => _ordered;

    /// <summary>The slot of a model name, or null.</summary>
    public ModelSlot? Find(string name) => _slots.GetValueOrDefault(name);

    /// <summary>Loads every model (and the starting canary).</summary>
    /// <exception cref="MlOpsException">A model cannot be found or loaded.</exception>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        foreach (var spec in _options.Models)
        {
            var slot = _slots[spec.Name];
            if (spec.File is { } file)
            {
                slot.Swap(Warm(await LoadFileAsync(spec.Name, file, cancellationToken)));
                _log($"serving {spec.Name} from {file}");
                continue;
            }

            if (!await RefreshAsync(slot, cancellationToken))
            {
                throw Errors.Config(spec.Name, $"the registry has no '{spec.Name}' model with alias '{slot.Alias}'; register and promote one first.");
            }

            if (_options.Canary is { } canary) await SetCanaryAsync(slot, canary.Reference, canary.Percent, cancellationToken);
        }
    }

    /// <summary>Re-reads the alias; when it points at another version, loads, warms and swaps it in. True when a version is being served.</summary>
    public async Task<bool> RefreshAsync(ModelSlot slot, CancellationToken cancellationToken)
    {
        if (slot.Current is null && _options.Models.FirstOrDefault(m => m.Name == slot.Name)?.File is { } file)
        {
            // A file model that was unloaded: load the file again.
            slot.Swap(Warm(await LoadFileAsync(slot.Name, file, cancellationToken)));
            _log($"{slot.Name}: loaded {file} again");
            return true;
        }

        if (slot.Alias is null || _registry is null) return slot.Current is not null;
        await _loading.WaitAsync(cancellationToken);
        try
        {
            var version = await _registry.ResolveAsync(slot.Name, slot.Alias, cancellationToken);
            if (version is not { } v) return slot.Current is not null;
            if (slot.Current?.Version == Version(v))
            {
                slot.Status = new ModelSlot.AliasStatus(v);
                return true;
            }

            // A version that keeps failing to load is retried with a growing delay, not on every poll.
            var now = DateTimeOffset.UtcNow;
            if (slot.Status is { AliasVersion: var failed, RetryAt: { } retry } && failed == v && now < retry) return slot.Current is not null;
            ModelHandle handle;
            try
            {
                handle = await LoadVersionAsync(slot.Name, v, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var failures = slot.Status is { AliasVersion: var f } previousStatus && f == v ? previousStatus.Failures + 1 : 1;
                var delay = Backoff(failures);
                slot.Status = new ModelSlot.AliasStatus(v, e.Message.Split('\n')[0], failures, now + delay);
                _log($"{slot.Name}: {slot.Alias} is v{v} but it does not load ({slot.Status.LastError}); still serving {(slot.Current is { } c ? $"v{c.Version}" : "nothing")}; attempt {failures}, next in {delay.TotalSeconds:0.#} s");
                throw;
            }

            var previous = slot.Current?.Version;
            slot.Swap(handle);
            slot.Status = new ModelSlot.AliasStatus(v);
            _log($"{slot.Name}: {slot.Alias} is v{v}; swapped in{(previous is null ? string.Empty : $" (was v{previous})")}");
            return true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Routes <paramref name="percent"/>% of requests to a version or alias; 0 removes the canary. With <paramref name="watch"/>, what each version answers is counted from now on.</summary>
    public async Task<string?> SetCanaryAsync(ModelSlot slot, string reference, double percent, CancellationToken cancellationToken, bool watch = false)
    {
        if (percent <= 0)
        {
            slot.SetCanary(null, 0);
            return null;
        }

        if (_registry is null) throw Errors.Config("canary", "a canary needs the registry.");
        var version = await _registry.ResolveAsync(slot.Name, reference, cancellationToken)
            ?? throw Errors.Config("canary", $"'{slot.Name}' has no version or alias '{reference}'.");
        var handle = await LoadVersionAsync(slot.Name, version, cancellationToken);
        slot.SetCanary(handle, Math.Min(100, percent), watch ? new CanaryWatch() : null);
        _log($"{slot.Name}: canary v{version} gets {percent:0.##}% of requests{(watch ? "; watching both versions" : string.Empty)}");
        return handle.Version;
    }

    /// <summary>Checks every alias each <see cref="ServeOptions.PollInterval"/> until cancelled; errors are logged, never fatal.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        if (_options.PollInterval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(_options.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var slot in _slots.Values)
                {
                    if (slot.Unloaded) continue; // unloaded on purpose: only an explicit load brings it back
                    try
                    {
                        await RefreshAsync(slot, cancellationToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Keep serving the loaded version; a registry hiccup is not an outage.
                        _log($"{slot.Name}: could not refresh from the registry: {e.Message}");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            slot.SetCanary(null, 0);
            slot.Current?.Retire();
        }

        _loading.Dispose();
    }

    private async Task<ModelHandle> LoadVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_options.CacheDirectory, $"{RegistryNames.Model(name)}-v{version}");
        var (location, manifest) = await Evaluation.ModelLocation.PullAsync(_registry!, name, version, folder, cancellationToken);
        var sha = manifest.Artifacts.First(a => a.Name == manifest.ModelFile).Sha256;
        return Warm(new ModelHandle(name, Version(version), ModelLoader.Load(location.ModelPath, _options.Task, Binding(location.Run)), sha));
    }

    // A file model takes the mapping of the run.json beside it, when that run made this file.
    private async Task<ModelHandle> LoadFileAsync(string name, string file, CancellationToken cancellationToken)
    {
        var run = (await Evaluation.ModelLocation.FindAsync(file, cancellationToken))?.Run;
        var sha = (await Artifacts.DataFingerprint.FileAsync(file, cancellationToken)).Sha256;
        return new ModelHandle(name, "file", ModelLoader.Load(file, _options.Task, Binding(run)), sha);
    }

    private ModelBinding Binding(Training.RunRecord? run) => Training.RunRecord.BindingOf(run, _options.Model);

    /// <summary>One throw-away request before the swap, so the first real request does not pay for lazy initialization.</summary>
    private static ModelHandle Warm(ModelHandle handle)
    {
        if (handle.Scorer.RowsUnavailable is not null) return handle; // tensors only: no row to warm with
        var columns = handle.Scorer.Inputs.Select(i => i.Kind == ColumnKind.Numeric ? TableColumn.Numeric(i.Name, [float.NaN]) : TableColumn.Text(i.Name, [null])).ToList();
        handle.Scorer.Score(Table.Of(columns), [0]);
        return handle;
    }

    // Doubles from the poll interval (at least a second) per failure in a row, at most ten minutes.
    private TimeSpan Backoff(int failures)
    {
        var first = _options.PollInterval > TimeSpan.FromSeconds(1) ? _options.PollInterval : TimeSpan.FromSeconds(1);
        return TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(10).Ticks, first.Ticks * (1L << Math.Min(failures - 1, 20))));
    }

    private static string Version(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
