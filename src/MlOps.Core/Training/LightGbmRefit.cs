using System.Runtime.ExceptionServices;

namespace MlOps.Training;

/// <summary>
/// The refit on train + eval, boosted at the same time as the first fit on train, each booster on
/// half the threads. A boosting round of the refit needs only the refit's earlier rounds, so it
/// need not wait for the first fit's round count: when the first fit ends, the refit is told the
/// rounds the trainer will ask of it (the first fit's rounds under early stopping, else every
/// round) and stops there, and any round it ran past is rolled back. It keeps boosting while the
/// first fit's model is loaded and measured; <see cref="Finish"/> waits for it. Two
/// single-threaded boosters keep two cores busy without OpenMP's waits between the phases of each
/// round, and the trees are those a refit after the first fit would grow on that many threads.
/// </summary>
/// <remarks>
/// LightGBM's thread count is one setting for the whole process, read by every parallel loop:
/// until <see cref="Finish"/> or <see cref="Dispose"/> returns, other LightGBM calls in this
/// process must ask for the refit's own thread count.
/// </remarks>
internal sealed class LightGbmRefit : IDisposable
{
    private readonly int _rows;
    private readonly int _iterations;
    private readonly bool _earlyStopping;
    private readonly Thread _thread;
    private int _stopAt;
    private int _done;
    private LightGbmBooster? _booster;
    private Exception? _failure;
    private LightGbmDirect.Boosted? _result;
    private LightGbmDirect.Boosted? _prepared;
    private bool _stopped;

    private LightGbmRefit(LightGbmApi.DatasetHandle whole, int rows, string parameters, int iterations, bool earlyStopping)
    {
        (_rows, _iterations, _earlyStopping, _stopAt) = (rows, iterations, earlyStopping, iterations);
        _thread = new Thread(() => Boost(whole, parameters)) { IsBackground = true, Name = "mlops refit" };
    }

    /// <summary>True when two boosters can share <paramref name="threads"/> evenly (LightGBM's thread count is one setting for the whole process).</summary>
    public static bool CanRunAlongside(int threads) => threads >= 2 && threads % 2 == 0;

    /// <summary>The rounds boosted so far (before any roll-back).</summary>
    internal int RoundsBoosted => Volatile.Read(ref _done);

    /// <summary>The rounds the refit was told to stop at: set by <see cref="FirstFitEnded"/>, null before.</summary>
    public int? Iterations { get; private set; }

    /// <summary>
    /// Starts the refit on <paramref name="whole"/> (<paramref name="rows"/> rows) on a thread of
    /// its own; the dataset must outlive it (<see cref="Dispose"/> first, then the dataset).
    /// </summary>
    /// <param name="whole">The train + eval dataset.</param>
    /// <param name="rows">Its rows.</param>
    /// <param name="parameters">The refit's LightGBM parameters (its thread count included).</param>
    /// <param name="iterations">The rounds asked for.</param>
    /// <param name="earlyStopping">True when the first fit stops early: the refit then takes its rounds.</param>
    public static LightGbmRefit Start(LightGbmApi.DatasetHandle whole, int rows, string parameters, int iterations, bool earlyStopping)
    {
        var refit = new LightGbmRefit(whole, rows, parameters, iterations, earlyStopping);
        refit._thread.Start();
        return refit;
    }

    /// <summary>Tells the refit where the first fit ended (<paramref name="firstFitRounds"/>): it stops at the rounds it will be asked for.</summary>
    public void FirstFitEnded(int firstFitRounds)
    {
        var target = _earlyStopping ? firstFitRounds : _iterations;
        Iterations = target;
        Volatile.Write(ref _stopAt, target);
    }

    /// <summary>Waits for the refit to reach <see cref="Iterations"/> (rolling back any rounds past them) and returns what it made; the same result on every call.</summary>
    public LightGbmDirect.Boosted Finish()
    {
        if (_result is { } result) return result;
        if (Iterations is not { } target) throw new InvalidOperationException("The refit's rounds are not known before the first fit ends.");
        ObjectDisposedException.ThrowIf(_stopped, this);
        _thread.Join();
        using (var booster = _booster)
        {
            _booster = null;
            _stopped = true;
            if (_failure is not null) ExceptionDispatchInfo.Throw(_failure);
            var rounds = Math.Min(_done, target);
            if (_prepared?.Rounds == rounds) return _result = _prepared;
            booster!.RollBack(_done - rounds);
            _result = new LightGbmDirect.Boosted(booster.ModelText(rounds), rounds, booster.TrainScores(_rows), null);
            return _result;
        }
    }

    /// <summary>Stops the refit where it is (when not finished) and frees its booster; the dataset may be freed after.</summary>
    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        Volatile.Write(ref _stopAt, 0);
        _thread.Join();
        _booster?.Dispose();
        _booster = null;
    }

    private void Boost(LightGbmApi.DatasetHandle whole, string parameters)
    {
        try
        {
            var created = LightGbmBooster.Create(whole, parameters);
            _booster = created;
            while (_done < Volatile.Read(ref _stopAt))
            {
                if (!created.Update()) break; // no split gains anything, as a refit on its own would find
                Volatile.Write(ref _done, _done + 1);
            }

            // What Finish returns, made here while the first fit is still measured (unless stopped).
            if (Volatile.Read(ref _stopAt) > 0) _prepared = new LightGbmDirect.Boosted(created.ModelText(_done), _done, created.TrainScores(_rows), null);
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }
}
