using MlOps.Scoring;

namespace MlOps.Serving;

/// <summary>
/// One loaded model version. Reference-counted: requests acquire it, a swap retires it, and the
/// scorer is disposed only when the last in-flight request has released it, so a swap never
/// breaks a request that already started.
/// </summary>
public sealed class ModelHandle
{
    private int _references = 1; // the owner's reference, dropped by Retire

    /// <summary>Wraps a loaded scorer.</summary>
    public ModelHandle(string name, string version, IModelScorer scorer, string sha256)
    {
        Name = name;
        Version = version;
        Scorer = scorer;
        Sha256 = sha256;
    }

    /// <summary>The model name.</summary>
    public string Name { get; }

    /// <summary>The registry version ("3"), or "file" for a model served from a path.</summary>
    public string Version { get; }

    /// <summary>The scorer (thread-safe: ONNX Runtime sessions and ML.NET transformers are).</summary>
    public IModelScorer Scorer { get; }

    /// <summary>The model file's SHA-256.</summary>
    public string Sha256 { get; }

    /// <summary>True once the scorer has been disposed.</summary>
    public bool Disposed => Volatile.Read(ref _references) == 0;

    /// <summary>Takes a reference for one request; false when the handle is already gone.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0) return false;
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current) return true;
        }
    }

    /// <summary>Drops a request's reference.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Scorer.Dispose();
    }

    /// <summary>Drops the owner's reference: the scorer goes when the last request is done.</summary>
    public void Retire() => Release();
}
