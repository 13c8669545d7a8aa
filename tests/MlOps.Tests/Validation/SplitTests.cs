using MlOps.Data;
using MlOps.Tests.Support;
using MlOps.Validation.Splitting;

namespace MlOps.Tests.Validation;

public class SplitTests
{
    [Fact]
    public void A_key_always_lands_in_the_same_part_and_the_hash_is_pinned()
    {
        double[] f = [0.6, 0.2, 0.2];
        var first = HashSplitter.PartOf("customer-42"u8, "mlops", f);
        Assert.Equal(first, HashSplitter.PartOf("customer-42"u8, "mlops", f));
        // Pinned: XxHash64 is a published algorithm (XXH64("abc") = 44bc2cf5ad770999), so this holds on every machine and release.
        Assert.Equal(0x44bc2cf5ad770999UL, System.IO.Hashing.XxHash64.HashToUInt64("abc"u8));
        Assert.Equal([0, 0, 0, 0, 0, 1, 2, 0], Enumerable.Range(1, 8).Select(i => HashSplitter.PartOf(System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "mlops", f)));
    }

    [Fact]
    public async Task Split_files_are_disjoint_complete_near_the_fractions_and_stable_across_runs()
    {
        using var d = new TempDir();
        var rows = Enumerable.Range(1, 10_000).Select(i => $"{i},v{i % 13}").ToList();
        var data = d.File("data.csv", "id,v\n" + string.Join("\n", rows) + "\n");
        var source = new DatasetSource { Path = data };
        var parts = await HashSplitter.SplitAsync(source, "id", [("train", 0.6), ("eval", 0.2), ("test", 0.2)], "mlops", d.Combine("out1"));
        var again = await HashSplitter.SplitAsync(source, "id", [("train", 0.6), ("eval", 0.2), ("test", 0.2)], "mlops", d.Combine("out2"));

        Assert.Equal(10_000, parts.Sum(p => p.Rows));
        Assert.InRange(parts[0].Rows, 5800, 6200);
        Assert.InRange(parts[1].Rows, 1850, 2150);
        var ids = parts.SelectMany(p => File.ReadLines(p.Path).Skip(1).Select(l => l.Split(',')[0])).ToList();
        Assert.Equal(10_000, ids.Distinct().Count());
        for (var i = 0; i < 3; i++) Assert.Equal(File.ReadAllText(parts[i].Path), File.ReadAllText(again[i].Path));
    }

    [Fact]
    public async Task Fractions_that_do_not_add_up_are_a_config_error()
    {
        using var d = new TempDir();
        var data = d.File("data.csv", "id\n1\n");
        await Assert.ThrowsAsync<MlOps.ConfigException>(() => HashSplitter.SplitAsync(new DatasetSource { Path = data }, "id", [("train", 0.7), ("test", 0.2)], "s", d.Combine("o")));
    }
}
