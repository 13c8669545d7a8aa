using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace MlOps.Configuration;

/// <summary>
/// A thin, strict view of a YAML mapping: every read names its key path and line in errors, and
/// <see cref="Done"/> refuses keys nobody read, suggesting the closest valid one.
/// </summary>
internal sealed class ConfigSection
{
    private readonly YamlMappingNode _map;
    private readonly string _file;
    private readonly string _path;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public ConfigSection(YamlMappingNode map, string file, string path)
    {
        _map = map;
        _file = file;
        _path = path;
    }

    public string Where(string key) => $"{_file}:{Line(key)}: {Key(key)}";

    public string Key(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    public ConfigSection? Section(string key)
    {
        var n = Get(key);
        return n switch
        {
            null => null,
            YamlMappingNode m => new ConfigSection(m, _file, Key(key)),
            YamlScalarNode { Value: null or "" or "~" or "null" } => null,
            _ => throw Errors.Config(Where(key), "expected a mapping (key: value lines)."),
        };
    }

    public bool IsSection(string key) => Get(key) is YamlMappingNode;

    public IEnumerable<(string Key, ConfigSection Node)> Sections()
    {
        foreach (var (k, v) in _map.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            _known.Add(name);
            if (v is not YamlMappingNode m) throw Errors.Config(Where(name), "expected a mapping (key: value lines).");
            yield return (name, new ConfigSection(m, _file, Key(name)));
        }
    }

    public IEnumerable<string> Keys() => _map.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();

    public IEnumerable<(string Key, string? Value)> Scalars()
    {
        foreach (var (k, v) in _map.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            _known.Add(name);
            if (v is not YamlScalarNode s) throw Errors.Config(Where(name), "expected a single value.");
            yield return (name, s.Value);
        }
    }

    public string? String(string key) => Get(key) switch
    {
        null => null,
        YamlScalarNode s => s.Value,
        _ => throw Errors.Config(Where(key), "expected a single value."),
    };

    public double? Number(string key, double min = double.MinValue, double max = double.MaxValue)
    {
        var s = String(key);
        if (s is null) return null;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw Errors.Config(Where(key), $"'{s}' is not a number.");
        if (v < min || v > max)
            throw Errors.Config(Where(key), string.Format(CultureInfo.InvariantCulture, "{0} is out of range; expected {1} to {2}.", v, min, max));
        return v;
    }

    public IReadOnlyList<string>? List(string key) => Get(key) switch
    {
        null => null,
        YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode s ? s.Value ?? string.Empty : throw Errors.Config(Where(key), "expected a list of values.")).ToList(),
        YamlScalarNode s => [s.Value ?? string.Empty],
        _ => throw Errors.Config(Where(key), "expected a list."),
    };

    /// <summary>Refuses any key not read, naming the closest valid one.</summary>
    public void Done(params string[] valid)
    {
        foreach (var (k, _) in _map.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            if (!valid.Contains(name) && !_known.Contains(name))
            {
                throw Errors.UnknownKey($"{_file}:{k.Start.Line}: {(_path.Length == 0 ? "top level" : _path)}", name, valid);
            }
        }
    }

    private YamlDotNet.RepresentationModel.YamlNode? Get(string key)
    {
        _known.Add(key);
        return _map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
    }

    private long Line(string key) =>
        _map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode s && s.Value == key)?.Start.Line ?? _map.Start.Line;
}
