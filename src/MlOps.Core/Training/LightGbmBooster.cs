using System.Globalization;
using System.Runtime.InteropServices;

namespace MlOps.Training;

/// <summary>
/// A LightGBM booster being trained. Binary log-loss is boosted on gradients computed here
/// (<see cref="LogLossGradients"/>) rather than by LightGBM's objective, with the same formula in
/// the same order and a vector exponential within 1 ulp of the C library's, so the trees, the
/// running predictions and the model text are LightGBM's own but for a rare last bit. LightGBM's
/// objective reads each label through a function object and calls the C library's exp one row
/// at a time, about a sixth of every boosting round; here it is eight rows at a time. Regression,
/// and binary boosting that watches validation rows (early stopping reads LightGBM's own metric,
/// which needs its objective), use LightGBM's objective as before.
/// </summary>
internal sealed class LightGbmBooster : IDisposable
{
    /// <summary>LightGBM's binary objective as the trainer asks for it (ML.NET's sigmoid of 0.5).</summary>
    internal const string BinaryObjective = "objective=binary sigmoid=0.5 metric=binary_logloss";

    private const double Sigmoid = LogLossGradients.Sigmoid;

    // LightGBM's kEpsilon (1e-15f) and kZeroThreshold (1e-35f), as doubles.
    private static readonly double Epsilon = 1e-15f;
    private static readonly double ZeroThreshold = 1e-35f;

    private readonly BinaryLogLoss? _logLoss;

    private LightGbmBooster(LightGbmApi.BoosterHandle handle, BinaryLogLoss? logLoss) => (Handle, _logLoss) = (handle, logLoss);

    /// <summary>The native booster.</summary>
    public LightGbmApi.BoosterHandle Handle { get; }

    /// <summary>True when this booster's gradients are computed here.</summary>
    internal bool OwnGradients => _logLoss is not null;

    /// <summary>
    /// A booster on <paramref name="train"/>. With <see cref="BinaryObjective"/> and
    /// <paramref name="ownGradients"/>, LightGBM gets objective=none and the gradients come from
    /// here; its starting score (LightGBM's boost from average) goes in as the dataset's initial
    /// score for the booster to copy, and is cleared from the dataset again.
    /// </summary>
    public static LightGbmBooster Create(LightGbmApi.DatasetHandle train, string parameters, bool ownGradients = true)
    {
        var logLoss = ownGradients && parameters.Contains(BinaryObjective, StringComparison.Ordinal) ? BinaryLogLoss.For(train) : null;
        if (logLoss is null)
        {
            LightGbmApi.Check(LightGbmApi.LGBM_BoosterCreate(train, parameters, out var plain));
            return new LightGbmBooster(plain, null);
        }

        if (logLoss.HasStart) LightGbmApi.Check(LightGbmApi.LGBM_DatasetSetFieldDouble(train, "init_score", logLoss.StartScores(), logLoss.Rows, LightGbmApi.Float64));
        try
        {
            LightGbmApi.Check(LightGbmApi.LGBM_BoosterCreate(train, parameters.Replace(BinaryObjective, "objective=none sigmoid=0.5 metric=none", StringComparison.Ordinal), out var handle));
            return new LightGbmBooster(handle, logLoss);
        }
        finally
        {
            if (logLoss.HasStart) LightGbmApi.Check(LightGbmApi.LGBM_DatasetSetFieldDouble(train, "init_score", null, 0, LightGbmApi.Float64));
        }
    }

    /// <summary>One boosting round; false when no split gained anything (the round added no tree).</summary>
    public bool Update()
    {
        int finished;
        if (_logLoss is null) LightGbmApi.Check(LightGbmApi.LGBM_BoosterUpdateOneIter(Handle, out finished));
        else
        {
            var (gradients, hessians) = _logLoss.Gradients(Handle);
            LightGbmApi.Check(LightGbmApi.LGBM_BoosterUpdateOneIterCustom(Handle, gradients, hessians, out finished));
        }

        return finished == 0;
    }

    /// <summary>Removes the last <paramref name="rounds"/> rounds, with their share of the running predictions.</summary>
    public void RollBack(int rounds)
    {
        for (var i = 0; i < rounds; i++) LightGbmApi.Check(LightGbmApi.LGBM_BoosterRollbackOneIter(Handle));
    }

    /// <summary>The running predictions of the training rows (probabilities for binary), as LightGBM's objective converts them.</summary>
    public float[] TrainScores(int rows)
    {
        if (_logLoss is null) return LightGbmDirect.RunningScores(Handle, 0, rows);
        return Array.ConvertAll(LightGbmDirect.RunningScores(Handle, 0, new double[rows]), r => (float)Probability(r));
    }

    /// <summary>The model text of the first <paramref name="rounds"/> rounds, as LightGBM's binary objective would have written it.</summary>
    public string ModelText(int rounds)
    {
        var text = LightGbmDirect.ModelText(Handle, rounds);
        return _logLoss is null ? text : WithBinaryObjective(text, _logLoss.Start);
    }

    /// <inheritdoc />
    public void Dispose() => Handle.Dispose();

    // LightGBM's BinaryLogloss::ConvertOutput.
    private static double Probability(double raw) => 1.0 / (1.0 + Math.Exp(-Sigmoid * raw));

    /// <summary>
    /// The text of a booster trained with objective=none as LightGBM's binary objective writes it:
    /// the objective line, and the starting score added to the first tree's values (LightGBM's
    /// Tree::AddBias, which also sets that tree's shrinkage to 1). Internal node values, written
    /// with 6 significant digits, are informational; the leaf values are exact. The tree_sizes line
    /// (byte counts, for parallel loading) no longer holds and goes.
    /// </summary>
    internal static string WithBinaryObjective(string text, double start)
    {
        var lines = text.Split('\n');
        var objective = Array.FindIndex(lines, l => l.StartsWith("max_feature_idx=", StringComparison.Ordinal));
        if (objective < 0) throw new InvalidOperationException("LightGBM's model text has no max_feature_idx line.");
        var result = new List<string>(lines.Length + 1);
        result.AddRange(lines[..(objective + 1)]);
        result.Add(FormattableString.Invariant($"objective=binary sigmoid:{Sigmoid}"));
        var inFirstTree = false;
        foreach (var line in lines[(objective + 1)..])
        {
            if (line.StartsWith("tree_sizes=", StringComparison.Ordinal)) continue;
            if (line.StartsWith("Tree=", StringComparison.Ordinal)) inFirstTree = line == "Tree=0";
            var patched = line switch
            {
                "[objective: custom]" => "[objective: binary]",
                "[metric: custom]" => "[metric: binary_logloss]",
                _ when !inFirstTree || Math.Abs(start) <= Epsilon => line,
                _ when line.StartsWith("leaf_value=", StringComparison.Ordinal) => "leaf_value=" + AddTo(line["leaf_value=".Length..], start, "G17"),
                _ when line.StartsWith("internal_value=", StringComparison.Ordinal) => "internal_value=" + AddTo(line["internal_value=".Length..], start, "G6"),
                _ when line.StartsWith("shrinkage=", StringComparison.Ordinal) => "shrinkage=1",
                _ => line,
            };
            result.Add(patched);
        }

        return string.Join('\n', result);
    }

    private static string AddTo(string values, double start, string format) => string.Join(' ', values.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v =>
    {
        var sum = double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture) + start;
        return (Math.Abs(sum) > ZeroThreshold ? sum : 0).ToString(format, CultureInfo.InvariantCulture);
    }));

    /// <summary>LightGBM's BinaryLogloss (no weights, no class balancing) on one dataset's labels.</summary>
    private sealed class BinaryLogLoss
    {
        // Per row: +1 for a positive label, -1 for a negative one (LightGBM's label_val_).
        private readonly double[] _signs;
        private readonly double[] _scores;
        private readonly float[] _gradients;
        private readonly float[] _hessians;

        private BinaryLogLoss(double[] signs, double start)
        {
            (_signs, Start) = (signs, start);
            _scores = new double[signs.Length];
            _gradients = new float[signs.Length];
            _hessians = new float[signs.Length];
        }

        public int Rows => _signs.Length;

        /// <summary>LightGBM's BoostFromScore: log(p / (1 - p)) / sigmoid of the positive share.</summary>
        public double Start { get; }

        /// <summary>True when LightGBM would start from <see cref="Start"/> rather than 0.</summary>
        public bool HasStart => Math.Abs(Start) > Epsilon;

        /// <summary>
        /// The dataset's labels as LightGBM reads them (positive when above 0); null when one class
        /// only (LightGBM then grows no trees), or when the dataset has row weights or a starting
        /// score of its own, which LightGBM's objective would take into account.
        /// </summary>
        public static BinaryLogLoss? For(LightGbmApi.DatasetHandle train)
        {
            foreach (var field in new[] { "weight", "init_score" })
            {
                LightGbmApi.Check(LightGbmApi.LGBM_DatasetGetField(train, field, out var count, out _, out _));
                if (count > 0) return null;
            }

            LightGbmApi.Check(LightGbmApi.LGBM_DatasetGetField(train, "label", out var length, out var pointer, out var type));
            if (type != LightGbmApi.Float32) return null;
            var labels = new float[length];
            Marshal.Copy(pointer, labels, 0, length);
            var signs = new double[length];
            var positives = 0;
            for (var i = 0; i < length; i++)
            {
                var positive = labels[i] > 0;
                signs[i] = positive ? 1 : -1;
                positives += positive ? 1 : 0;
            }

            if (positives == 0 || positives == length) return null;
            var average = (double)positives / length;
            average = Math.Max(Math.Min(average, 1.0 - Epsilon), Epsilon);
            return new BinaryLogLoss(signs, Math.Log(average / (1.0 - average)) / Sigmoid);
        }

        public double[] StartScores()
        {
            var scores = new double[_signs.Length];
            Array.Fill(scores, Start);
            return scores;
        }

        /// <summary>This round's gradients and hessians from the booster's running raw scores (LightGBM's BinaryLogloss::GetGradients).</summary>
        public (float[] Gradients, float[] Hessians) Gradients(LightGbmApi.BoosterHandle booster)
        {
            LogLossGradients.Compute(_signs, LightGbmDirect.RunningScores(booster, 0, _scores), _gradients, _hessians);
            return (_gradients, _hessians);
        }
    }
}
