using MlOps.Training;

namespace MlOps.Tests.Training;

/// <summary>
/// Binary log-loss boosted on gradients computed in .NET grows LightGBM's own trees: the same
/// model text (the starting score in the first tree, the objective line), the same running
/// predictions, on one thread and on two; balanced labels
/// (no starting score) and one class (LightGBM's objective, as before) included.
/// </summary>
public sealed class LightGbmBoosterTests
{
    // x0..x2 numbers (some missing), x3 a category of 10; the label leans on all of them.
    private static LightGbmApi.DatasetHandle Dataset(int rows, double lean, int seed, bool oneClass = false)
    {
        var random = new Random(seed);
        var values = new float[rows * 4];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < 3; j++) values[(r * 4) + j] = random.NextDouble() < 0.04 ? float.NaN : (float)((random.NextDouble() * 4) - 2);
            var category = random.Next(10);
            values[(r * 4) + 3] = category;
            var x0 = float.IsNaN(values[r * 4]) ? 0.5 : values[r * 4];
            var z = x0 - (0.7 * values[(r * 4) + 1]) + (category == 4 ? 1 : 0) + lean + (random.NextDouble() - 0.5);
            labels[r] = oneClass || z > 0 ? 1 : 0;
        }

        LightGbmApi.Check(LightGbmApi.LGBM_DatasetCreateFromMat(values, LightGbmApi.Float32, rows, 4, 1, "max_bin=255 verbose=-1 categorical_feature=3", IntPtr.Zero, out var dataset));
        LightGbmApi.Check(LightGbmApi.LGBM_DatasetSetField(dataset, "label", labels, rows, LightGbmApi.Float32));
        return dataset;
    }

    private static string Parameters(int threads) =>
        $"{LightGbmBooster.BinaryObjective} boosting_type=gbdt num_iterations=40 learning_rate=0.3 num_leaves=15 min_data_in_leaf=20 lambda_l2=0.01 " +
        $"max_bin=255 max_cat_threshold=32 cat_smooth=10 cat_l2=10 seed=1 num_threads={threads} deterministic=true force_row_wise=true verbose=-1 categorical_feature=3";

    private static (string Text, float[] Scores, int Rounds, bool Own) Boost(LightGbmApi.DatasetHandle dataset, int rows, string parameters, bool ownGradients)
    {
        using var booster = LightGbmBooster.Create(dataset, parameters, ownGradients);
        var rounds = 0;
        while (rounds < 40 && booster.Update()) rounds++;
        return (booster.ModelText(rounds), booster.TrainScores(rows), rounds, booster.OwnGradients);
    }

    // The model text less what only differs in print: tree_sizes (dropped from ours) and the first
    // tree's internal node values (LightGBM prints them with 6 digits before the starting score is added).
    private static string[] Comparable(string text) =>
        text.Split('\n').Where(l => !l.StartsWith("tree_sizes=", StringComparison.Ordinal) && !l.StartsWith("internal_value=", StringComparison.Ordinal)).ToArray();

    private static double[] InternalValues(string text, int tree)
    {
        var lines = text.Split('\n');
        var at = Array.IndexOf(lines, $"Tree={tree}");
        var line = lines.Skip(at).First(l => l.StartsWith("internal_value=", StringComparison.Ordinal));
        return line["internal_value=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    [Theory]
    [InlineData(-0.8, 1)] // about a third positive: LightGBM starts from a negative score
    [InlineData(0.9, 2)] // mostly positive, two threads
    [InlineData(0.0, 1)]
    public void Gradients_computed_here_grow_LightGBMs_own_trees(double lean, int threads)
    {
        const int Rows = 20_000;
        using var dataset = Dataset(Rows, lean, seed: 7);
        var theirs = Boost(dataset, Rows, Parameters(threads), ownGradients: false);
        var ours = Boost(dataset, Rows, Parameters(threads), ownGradients: true);

        Assert.False(theirs.Own);
        Assert.True(ours.Own);
        Assert.Equal(40, theirs.Rounds);
        Assert.Equal(theirs.Rounds, ours.Rounds);
        Assert.Contains("objective=binary sigmoid:0.5", ours.Text.Split('\n'));
        Assert.Equal(Comparable(theirs.Text), Comparable(ours.Text)); // every leaf value, threshold and gain; the parameters written
        Assert.Equal(theirs.Scores, ours.Scores); // the running probabilities, bit for bit
        var (a, b) = (InternalValues(theirs.Text, 0), InternalValues(ours.Text, 0));
        Assert.All(a.Zip(b), p => Assert.Equal(p.First, p.Second, tolerance: 1e-5)); // 6 digits printed on either side

        // The dataset's starting score was cleared: what boosts on it next starts as LightGBM would.
        Assert.Equal(theirs.Text, Boost(dataset, Rows, Parameters(threads), ownGradients: false).Text);
    }

    [Fact]
    public void Balanced_labels_start_from_zero_as_LightGBM_does()
    {
        const int Rows = 2_000;
        var labels = Enumerable.Range(0, Rows).Select(i => (float)(i % 2)).ToArray();
        var values = Enumerable.Range(0, Rows * 4).Select(i => (float)((i * 7919 % 1000) / 100.0)).ToArray();
        LightGbmApi.Check(LightGbmApi.LGBM_DatasetCreateFromMat(values, LightGbmApi.Float32, Rows, 4, 1, "max_bin=255 verbose=-1 categorical_feature=3", IntPtr.Zero, out var dataset));
        using (dataset)
        {
            LightGbmApi.Check(LightGbmApi.LGBM_DatasetSetField(dataset, "label", labels, Rows, LightGbmApi.Float32));
            var theirs = Boost(dataset, Rows, Parameters(1), ownGradients: false);
            var ours = Boost(dataset, Rows, Parameters(1), ownGradients: true);
            Assert.True(ours.Own);
            Assert.Equal(Comparable(theirs.Text), Comparable(ours.Text));
            Assert.Equal(InternalValues(theirs.Text, 0), InternalValues(ours.Text, 0)); // nothing added to the first tree
            Assert.Equal(theirs.Scores, ours.Scores);
        }
    }

    [Fact]
    public void One_class_only_boosts_with_LightGBMs_objective()
    {
        using var dataset = Dataset(3_000, 0, seed: 2, oneClass: true);
        var ours = Boost(dataset, 3_000, Parameters(1), ownGradients: true);
        var theirs = Boost(dataset, 3_000, Parameters(1), ownGradients: false);
        Assert.False(ours.Own);
        Assert.Equal(theirs.Text, ours.Text);
    }

    [Fact]
    public void Row_weights_boost_with_LightGBMs_objective()
    {
        using var dataset = Dataset(3_000, 0, seed: 2);
        var weights = Enumerable.Range(0, 3_000).Select(i => 1f + (i % 3)).ToArray();
        LightGbmApi.Check(LightGbmApi.LGBM_DatasetSetField(dataset, "weight", weights, weights.Length, LightGbmApi.Float32));
        var ours = Boost(dataset, 3_000, Parameters(1), ownGradients: true);
        Assert.False(ours.Own); // the weights are LightGBM's objective's to apply
        Assert.Equal(Boost(dataset, 3_000, Parameters(1), ownGradients: false).Text, ours.Text);
    }

    [Fact]
    public void Regression_boosts_with_LightGBMs_objective()
    {
        using var dataset = Dataset(3_000, 0, seed: 2);
        using var booster = LightGbmBooster.Create(dataset, Parameters(1).Replace(LightGbmBooster.BinaryObjective, "objective=regression metric=rmse", StringComparison.Ordinal));
        Assert.False(booster.OwnGradients);
    }
}
