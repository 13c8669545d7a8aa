using System.Runtime.ExceptionServices;

namespace MlOps.Training;

/// <summary>
/// The refit on train + eval, boosted at the same time as the first fit on train, each booster on
/// half the threads. A boosting round of the refit needs only the refit's earlier rounds, so it
/// need not wait for the first fit's round count: when the first fit ends, the refit stops at the
/// rounds the trainer would ask of it (the first fit's rounds under early stopping, else every
/// round), and any round it ran past is rolled back. Two single-threaded boosters keep two cores
/// busy without OpenMP's waits between the phases of each round, and the trees are those a refit
/// after the first fit would grow on that many threads.
/// </summary>
/// <param name="rows">The rows of the train + eval dataset.</param>
/// <param name="parameters">The refit's LightGBM parameters (its thread count included).</param>
/// <param name="iterations">The rounds asked for.</param>
/// <param name="earlyStopping">True when the first fit stops early: the refit then takes its rounds.</param>
internal sealed class LightGbmRefit(int rows, string parameters, int iterations, bool earlyStopping)
{
    /// <summary>True when two boosters can share <paramref name="threads"/> evenly (LightGBM's thread count is one setting for the whole process).</summary>
    public static bool CanRunAlongside(int threads) => threads >= 2 && threads % 2 == 0;

    /// <summary>
    /// Runs <paramref name="first"/> (the first fit) on this thread while the refit boosts on
    /// <paramref name="whole"/> on another; returns both.
    /// </summary>
    public (LightGbmDirect.Boosted First, Done Refit) Alongside(LightGbmApi.DatasetHandle whole, Func<LightGbmDirect.Boosted> first)
    {
        var stopAt = iterations;
        var done = 0;
        LightGbmApi.BoosterHandle? booster = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                LightGbmApi.Check(LightGbmApi.LGBM_BoosterCreate(whole, parameters, out var created));
                booster = created;
                while (done < Volatile.Read(ref stopAt))
                {
                    LightGbmApi.Check(LightGbmApi.LGBM_BoosterUpdateOneIter(created, out var finished));
                    if (finished != 0) break; // no split gains anything, as a refit on its own would find
                    done++;
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "mlops refit" };
        thread.Start();

        LightGbmDirect.Boosted result;
        try
        {
            result = first();
        }
        catch
        {
            // The refit's booster reads the dataset the caller frees: it stops and goes first.
            Volatile.Write(ref stopAt, 0);
            thread.Join();
            booster?.Dispose();
            throw;
        }

        var target = earlyStopping ? result.Rounds : iterations;
        Volatile.Write(ref stopAt, target);
        thread.Join();
        using (booster)
        {
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
            var rounds = Math.Min(done, target);
            for (var extra = done - rounds; extra > 0; extra--) LightGbmApi.Check(LightGbmApi.LGBM_BoosterRollbackOneIter(booster!));
            var refit = new LightGbmDirect.Boosted(LightGbmDirect.ModelText(booster!, rounds), rounds, LightGbmDirect.RunningScores(booster!, 0, rows), null);
            return (result, new Done(target, refit));
        }
    }

    /// <summary>A refit boosted alongside the first fit: the rounds it was asked for, and what it made.</summary>
    public sealed record Done(int Iterations, LightGbmDirect.Boosted Result);
}
