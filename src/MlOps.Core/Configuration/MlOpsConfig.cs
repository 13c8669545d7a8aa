using MlOps.Data;
using MlOps.Evaluation;
using MlOps.Scoring;
using MlOps.Training;
using MlOps.Validation.Drift;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using RegistrySettings = MlOps.Registry.RegistrySettings;

namespace MlOps.Configuration;

/// <summary>
/// mlops.yaml: the project described once, read by every command. Paths in it are relative to
/// the file's folder. Unknown keys are errors that name the closest valid key.
/// </summary>
public sealed record MlOpsConfig
{
    /// <summary>The default file name looked for in the current folder.</summary>
    public const string DefaultFileName = "mlops.yaml";

    /// <summary>The project name (used in reports and, later, as the model name).</summary>
    public string Project { get; init; } = "model";

    /// <summary>The training data (the dataset <c>validate</c> checks by default).</summary>
    public DatasetSource? Data { get; init; }

    /// <summary>binary, multiclass or regression.</summary>
    public string? Task { get; init; }

    /// <summary>The label column.</summary>
    public string? Label { get; init; }

    /// <summary>validate: settings.</summary>
    public ValidateSettings Validate { get; init; } = new();

    /// <summary>split: settings.</summary>
    public SplitSettings? Split { get; init; }

    /// <summary>Binary tasks: the label value that means "positive" (default: 1, true or yes when present).</summary>
    public string? PositiveClass { get; init; }

    /// <summary>train: settings.</summary>
    public TrainSettings Train { get; init; } = new();

    /// <summary>evaluate: settings.</summary>
    public EvaluateSettings Evaluate { get; init; } = new();

    /// <summary>model: how an ONNX model's inputs and outputs meet the data (models exported without our metadata).</summary>
    public ModelSettings Model { get; init; } = new();

    /// <summary>registry: settings.</summary>
    public RegistrySettings Registry { get; init; } = new() { Path = RegistrySettings.DefaultPath };

    /// <summary>monitor: the rules production traffic is held to.</summary>
    public Monitoring.MonitorSettings Monitor { get; init; } = new();

    /// <summary>The folder the file was read from; relative paths resolve against it.</summary>
    public string BaseDirectory { get; init; } = ".";

    /// <summary>Loads a config file; a missing default file yields the built-in defaults.</summary>
    /// <exception cref="ConfigException">The file is unreadable or invalid.</exception>
    public static MlOpsConfig Load(string? path)
    {
        var explicitPath = path is not null;
        path ??= DefaultFileName;
        if (!File.Exists(path))
        {
            return explicitPath ? throw Errors.Config(path, "config file not found.") : new MlOpsConfig();
        }

        var stream = new YamlStream();
        try
        {
            var text = File.ReadAllText(path);
            if (text.Contains('\0', StringComparison.Ordinal)) throw Errors.Config(path, "is not a text file; expected YAML key: value lines (project:, data:, ...).");
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw Errors.Config($"{path}:{e.Start.Line}", $"invalid YAML: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return new MlOpsConfig { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))! };
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Errors.Config(path, "expected key: value lines at the top level.");
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Bind(new ConfigSection(root, path, string.Empty), baseDir);
    }

    private static MlOpsConfig Bind(ConfigSection root, string baseDir)
    {
        string Resolve(string p) => Path.IsPathRooted(p) ? p : Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(baseDir, p));

        var data = root.Section("data") is { } d ? BindData(d, Resolve) : null;
        var task = root.String("task");
        if (task is not null && task is not ("binary" or "multiclass" or "regression"))
        {
            throw Errors.Config(root.Where("task"), $"'{task}' is not a task; expected binary, multiclass or regression.");
        }

        var config = new MlOpsConfig
        {
            Project = root.String("project") ?? new MlOpsConfig().Project,
            Data = data,
            Task = task,
            Label = root.String("label"),
            Validate = root.Section("validate") is { } v ? BindValidate(v, Resolve, data) : new ValidateSettings(),
            Split = root.Section("split") is { } s ? BindSplit(s, Resolve) : null,
            PositiveClass = root.String("positive-class"),
            Train = root.Section("train") is { } t ? BindTrain(t, ModelTasks.Parse(task)) : new TrainSettings(),
            Evaluate = root.Section("evaluate") is { } e ? BindEvaluate(e, Resolve) : new EvaluateSettings(),
            Model = root.Section("model") is { } m ? BindModel(m) : new ModelSettings(),
            Registry = root.Section("registry") is { } r ? BindRegistry(r, Resolve) : new RegistrySettings { Path = Resolve(RegistrySettings.DefaultPath) },
            Monitor = root.Section("monitor") is { } mon ? BindMonitor(mon) : new Monitoring.MonitorSettings(),
            BaseDirectory = baseDir,
        };
        root.Done("project", "data", "task", "label", "positive-class", "validate", "split", "train", "evaluate", "model", "registry", "monitor");
        return config;
    }

    /// <summary>Binds a dataset section (data:, validate.baseline-data:).</summary>
    internal static DatasetSource BindData(ConfigSection d, Func<string, string> resolve)
    {
        var path = d.String("path") ?? throw Errors.Config(d.Key("path"), "is required: the file, folder or glob of the data.");
        var formatName = d.String("format");
        DataFormat? format = null;
        if (formatName is not null)
        {
            format = DataFormats.Parse(formatName) ?? throw Errors.Config(d.Where("format"), $"'{formatName}' is not a format; expected {string.Join(", ", DataFormats.Names)}.");
        }

        var csv = new CsvOptions
        {
            Delimiter = CsvOptions.ParseDelimiter(d.String("delimiter"), formatName, d.Where("delimiter")),
            MissingValues = d.List("missing") ?? [],
        };
        var nonFinite = d.String("non-finite") switch
        {
            null or "error" => false,
            "missing" => true,
            var other => throw Errors.Config(d.Where("non-finite"), $"'{other}' is not error or missing."),
        };
        d.Done("path", "format", "delimiter", "missing", "exclude", "non-finite");
        return new DatasetSource { Path = resolve(path), Format = format, Csv = csv, Exclude = d.List("exclude") ?? [], NonFiniteAsMissing = nonFinite };
    }

    private static ValidateSettings BindValidate(ConfigSection v, Func<string, string> resolve, DatasetSource? data)
    {
        var drift = v.Section("drift");
        var settings = new ValidateSettings
        {
            Schema = v.String("schema") is { } s ? resolve(s) : null,
            Baseline = v.String("baseline") is { } b ? resolve(b) : null,
            Output = v.String("output"),
            Drift = drift is null ? new DriftOptions() : BindDrift(drift),
            ExactValues = (int)(v.Number("exact-values", 0, 10_000_000) ?? Validation.Statistics.ColumnProfile.DefaultExactValues),
        };
        v.Done("schema", "baseline", "output", "drift", "exact-values");
        return settings;
    }

    private static Monitoring.MonitorSettings BindMonitor(ConfigSection m)
    {
        static string? Window(ConfigSection m, string key)
        {
            var text = m.String(key);
            if (text is not null) ParseWindow(text, m.Where(key));
            return text;
        }

        var defaults = new Monitoring.MonitorSettings();
        var decay = m.Section("decay");
        var labels = m.Section("labels");
        var settings = new Monitoring.MonitorSettings
        {
            Since = Window(m, "since"),
            Window = Window(m, "window"),
            Drift = m.Section("drift") is { } d ? BindDrift(d) : null,
            Predictions = Flag(m, "predictions") ?? defaults.Predictions,
            Decay = decay is null ? defaults.Decay : new Monitoring.DecaySettings
            {
                Metric = decay.String("metric"),
                MaxDrop = decay.Number("max-drop", 0) ?? defaults.Decay.MaxDrop,
                MinRows = (int)(decay.Number("min-rows", 1, int.MaxValue) ?? defaults.Decay.MinRows),
            },
            Labels = labels is null ? defaults.Labels : new Monitoring.LabelSettings
            {
                Column = labels.String("column"),
                Key = labels.String("key") ?? defaults.Labels.Key,
            },
        };
        decay?.Done("metric", "max-drop", "min-rows");
        labels?.Done("column", "key");
        m.Done("since", "window", "drift", "predictions", "decay", "labels");
        return settings;
    }

    // train.search: trials, method, metric and a space of the trainer's own hyperparameters.
    private static Training.SearchSettings BindSearch(ConfigSection s, Training.TrainerSpec? spec, string? command, Scoring.ModelTask? task)
    {
        if (command is not null || spec is null) throw Errors.Config(s.Where("trials"), "train.search tunes a built-in trainer; a training command tunes itself (its hyperparameters arrive as MLOPS_PARAMS).");
        var method = s.String("method") ?? "random";
        if (method is not ("random" or "halving")) throw Errors.Config(s.Where("method"), $"'{method}' is not random or halving.");
        var space = new List<Training.SearchDimension>();
        var section = s.Section("space") ?? throw Errors.Config(s.Where("space"), $"is required: the hyperparameters to search, e.g. space: {{ learning-rate: [0.02, 0.3, log], leaves: [8, 128] }} ({string.Join(", ", spec.Parameters.Select(p => p.Name))}).");
        foreach (var key in section.Keys())
        {
            var p = spec.Parameters.FirstOrDefault(x => x.Name == key) ?? throw Errors.UnknownKey(section.Where(key), key, spec.Parameters.Select(x => x.Name));
            double Check(string text, string where)
            {
                if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v)) throw Errors.Config(where, $"'{text}' is not a number.");
                if (v < p.Min || v > p.Max) throw Errors.Config(where, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v} is outside {p.Name}'s range {p.Min} to {p.Max}."));
                if (p.Integer && v != Math.Floor(v)) throw Errors.Config(where, $"{v} is not a whole number.");
                return v;
            }

            if (section.IsSection(key))
            {
                var choice = section.Section(key)!;
                var values = choice.List("values")?.Select(v => Check(v, choice.Where("values"))).ToList() ?? throw Errors.Config(choice.Where("values"), "is required: a list of values to pick from.");
                choice.Done("values");
                if (values.Count == 0) throw Errors.Config(choice.Where("values"), "is empty.");
                space.Add(new Training.SearchDimension(key, values.Min(), values.Max(), false, p.Integer, values));
                continue;
            }

            var range = section.List(key)!;
            var log = range.Count == 3 && range[2] == "log";
            if (range.Count != 2 && !log) throw Errors.Config(section.Where(key), "expected [min, max], [min, max, log] or { values: [a, b, c] }.");
            var (min, max) = (Check(range[0], section.Where(key)), Check(range[1], section.Where(key)));
            if (min >= max) throw Errors.Config(section.Where(key), $"[{range[0]}, {range[1]}] is empty: the first number must be below the second.");
            if (log && min <= 0) throw Errors.Config(section.Where(key), "a log range needs both ends above 0.");
            space.Add(new Training.SearchDimension(key, min, max, log, p.Integer));
        }

        if (space.Count == 0) throw Errors.Config(s.Where("space"), "names no hyperparameter.");
        var settings = new Training.SearchSettings
        {
            Trials = (int)(s.Number("trials", 1, 500) ?? throw Errors.Config(s.Where("trials"), "is required: how many hyperparameter sets to try (1 to 500).")),
            Method = method,
            Metric = s.String("metric") is { } metric && task is { } k && !Metrics.MetricNames.For(k).Contains(metric)
                ? throw Errors.Config(s.Where("metric"), $"'{metric}' is not a {k.Name()} metric; expected one of {string.Join(", ", Metrics.MetricNames.For(k))}.")
                : s.String("metric"),
            Space = space,
        };
        s.Done("trials", "method", "metric", "space");
        return settings;
    }

    private static DriftOptions BindDrift(ConfigSection d)
    {
        var defaults = new DriftOptions();
        var alpha = d.Number("alpha", 0, 1) ?? defaults.Numeric.Alpha;
        DriftRule Rule(ConfigSection s, IReadOnlyList<string> methods, DriftRule fallback)
        {
            var method = s.String("method") ?? fallback.Method;
            if (!methods.Contains(method))
            {
                var all = DriftOptions.NumericMethods.Union(DriftOptions.CategoricalMethods).ToList();
                throw Errors.Config(s.Where("method"), $"'{method}' is not a drift method here; expected one of {string.Join(", ", all)}.");
            }

            var rule = new DriftRule
            {
                Method = method,
                Threshold = s.Number("threshold", 0) ?? (method == fallback.Method ? fallback.Threshold : DriftOptions.DefaultThreshold(method)),
                Alpha = s.Number("alpha", 0, 1) ?? alpha,
            };
            s.Done("method", "threshold", "alpha");
            return rule;
        }

        var numeric = d.Section("numeric") is { } n ? Rule(n, DriftOptions.NumericMethods, defaults.Numeric) : defaults.Numeric with { Alpha = alpha };
        var categorical = d.Section("categorical") is { } c ? Rule(c, DriftOptions.CategoricalMethods, defaults.Categorical) : defaults.Categorical with { Alpha = alpha };
        var columns = new Dictionary<string, DriftRule>(StringComparer.Ordinal);
        if (d.Section("columns") is { } cols)
        {
            foreach (var (name, section) in cols.Sections())
            {
                var all = DriftOptions.NumericMethods.Union(DriftOptions.CategoricalMethods).ToList();
                var method = section.String("method") ?? "psi";
                columns[name] = Rule(section, all, DriftOptions.NumericMethods.Contains(method) ? numeric : categorical);
            }
        }

        var options = new DriftOptions
        {
            Numeric = numeric,
            Categorical = categorical,
            Columns = columns,
            Ignore = d.List("ignore") ?? [],
            MaxDriftedShare = d.Number("max-drifted-share", 0, 1) ?? defaults.MaxDriftedShare,
            Bins = (int)(d.Number("bins", 2, 1000) ?? defaults.Bins),
            TimeColumns = Flag(d, "time") ?? defaults.TimeColumns,
            Identifiers = Flag(d, "identifiers") ?? defaults.Identifiers,
        };
        d.Done("numeric", "categorical", "columns", "ignore", "max-drifted-share", "bins", "alpha", "time", "identifiers");
        return options;
    }

    private static bool? Flag(ConfigSection s, string key) => s.String(key) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var other => throw Errors.Config(s.Where(key), $"'{other}' is not true or false."),
    };

    private static TrainSettings BindTrain(ConfigSection t, ModelTask? task)
    {
        var name = t.String("trainer") ?? TrainSettings.DefaultTrainer;
        var command = t.String("command");
        var spec = TrainerCatalog.Find(name);
        if (spec is null && command is null)
        {
            var hint = Errors.Suggest(name, TrainerCatalog.Names) is { } s ? $" Did you mean '{s}'?" : string.Empty;
            throw Errors.Config(t.Where("trainer"), $"'{name}' is not a built-in trainer; expected one of {string.Join(", ", TrainerCatalog.Names)}.{hint}");
        }

        if (spec is not null && command is null && task is { } k && !spec.Tasks.Contains(k))
        {
            throw Errors.Config(t.Where("trainer"), $"{name} cannot learn a {k.Name()} task; it handles {string.Join(", ", spec.Tasks.Select(x => x.Name()))}.");
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (t.Section("hyperparameters") is { } h)
        {
            if (spec is null || command is not null)
            {
                // A command's hyperparameters are passed through untouched (as MLOPS_PARAMS).
                foreach (var (key, _) in h.Scalars()) values[key] = h.Number(key) ?? 0;
            }
            else
            {
                foreach (var p in spec.Parameters)
                {
                    var v = h.Number(p.Name, p.Min, p.Max);
                    if (v is { } x && p.Integer && x != Math.Floor(x)) throw Errors.Config(h.Where(p.Name), $"{x} is not a whole number.");
                    if (v is { } y) values[p.Name] = y;
                }

                h.Done(spec.Parameters.Select(p => p.Name).ToArray());
            }
        }

        var timeout = t.String("timeout") is { } ts ? ParseDuration(ts, t.Where("timeout")) : TimeSpan.FromHours(1);
        var settings = new TrainSettings
        {
            Trainer = name,
            Hyperparameters = values,
            Seed = (int)(t.Number("seed", 0, int.MaxValue) ?? TrainDefaults.Seed),
            Threads = t.String("threads") switch
            {
                null or "auto" => null,
                var n when int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var threads) && threads is >= 1 and <= 1024 => threads,
                var n => throw Errors.Config(t.Where("threads"), $"'{n}' is not auto or a number of threads from 1 to 1024."),
            },
            EarlyStopping = (int)(t.Number("early-stopping", 0, 100_000) ?? TrainDefaults.EarlyStopping),
            Refit = Flag(t, "refit") ?? TrainDefaults.Refit,
            CrossValidationFolds = (int)(t.Number("cv", 2, 20) ?? 0),
            Search = t.Section("search") is { } search ? BindSearch(search, spec, command, task) : null,
            Exclude = t.List("exclude") ?? [],
            Text = t.List("text") ?? [],
            MaxCategories = (int)(t.Number("max-categories", 2, 10_000_000) ?? TrainDefaults.MaxCategories),
            Command = command,
            Timeout = timeout,
            Output = t.String("output"),
        };
        if (settings.EarlyStopping > 0 && spec is { SupportsEarlyStopping: false } && command is null)
        {
            throw Errors.Config(t.Where("early-stopping"), $"{name} does not support early stopping; use lightgbm or remove the key.");
        }

        t.Done("trainer", "hyperparameters", "seed", "threads", "early-stopping", "refit", "cv", "search", "exclude", "text", "max-categories", "command", "timeout", "output");
        return settings;
    }

    private static ModelSettings BindModel(ConfigSection m)
    {
        var inputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (m.Section("inputs") is { } i)
        {
            foreach (var name in i.Keys())
            {
                var columns = i.List(name) ?? [];
                if (columns.Count == 0) throw Errors.Config(i.Where(name), "expected the list of columns that feed this input, in order.");
                inputs[name] = columns;
            }
        }

        var features = m.List("features");
        if (features is { Count: 0 }) throw Errors.Config(m.Where("features"), "expected the list of columns of the model's matrix input, in order.");
        if (features is not null && inputs.Count > 0) throw Errors.Config(m.Where("features"), "give either features (one matrix input) or inputs (per input), not both.");
        foreach (var list in inputs.Values.Append(features ?? []))
        {
            if (list.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw Errors.Config(m.Where(features is not null ? "features" : "inputs"), $"column '{twice.Key}' is listed twice.");
            }
        }

        var outputs = m.Section("outputs");
        var scores = m.String("scores") switch
        {
            null or "probabilities" => ScoreKind.Probabilities,
            "logits" => ScoreKind.Logits,
            var other => throw Errors.Config(m.Where("scores"), $"'{other}' is not probabilities or logits."),
        };
        var score = outputs?.String("probabilities");
        var value = outputs?.String("value");
        if (score is not null && value is not null) throw Errors.Config(outputs!.Where("value"), "give probabilities (classifiers) or value (regression), not both.");
        var classes = m.List("classes");
        if (classes is not null && classes.Distinct(StringComparer.Ordinal).Count() != classes.Count) throw Errors.Config(m.Where("classes"), "names a class twice.");
        var settings = new ModelSettings
        {
            Features = features,
            Inputs = inputs,
            ScoreOutput = score ?? value,
            LabelOutput = outputs?.String("label"),
            Scores = scores,
            Classes = classes,
        };
        outputs?.Done("probabilities", "label", "value");
        m.Done("features", "inputs", "outputs", "scores", "classes");
        return settings;
    }

    private static RegistrySettings BindRegistry(ConfigSection r, Func<string, string> resolve)
    {
        var settings = new RegistrySettings { Path = resolve(r.String("path") ?? RegistrySettings.DefaultPath) };
        if (r.Section("azure") is { } a)
        {
            settings = settings with
            {
                Container = a.String("container"),
                ConnectionStringEnv = a.String("connection-string-env"),
                ContainerUrlEnv = a.String("container-url-env"),
                AccountUrl = a.String("account-url"),
            };
            if (settings.Container is null && settings.ContainerUrlEnv is null) throw Errors.Config(a.Where("container"), "is required (or container-url-env with a SAS URL).");
            a.Done("container", "connection-string-env", "container-url-env", "account-url");
        }

        r.Done("path", "azure");
        return settings;
    }

    // The defaults live in the settings records; the binder only applies what mlops.yaml overrides.
    private static readonly TrainSettings TrainDefaults = new();

    private static EvaluateSettings BindEvaluate(ConfigSection e, Func<string, string> resolve)
    {
        var gates = new List<MetricGate>();
        if (e.Section("gates") is { } g)
        {
            foreach (var (metric, section) in g.Sections())
            {
                var testName = section.String("test") ?? "none";
                var test = testName switch
                {
                    "none" => SignificanceTest.None,
                    "no-regression" => SignificanceTest.NoRegression,
                    "non-inferiority" => SignificanceTest.NonInferiority,
                    "improvement" => SignificanceTest.Improvement,
                    _ => throw Errors.Config(section.Where("test"), $"'{testName}' is not a test; expected none, no-regression, non-inferiority or improvement."),
                };
                var higher = section.String("higher-is-better");
                gates.Add(new MetricGate
                {
                    Metric = metric,
                    Threshold = section.Number("threshold"),
                    MinChange = section.Number("min-change"),
                    MinRelativeChange = section.Number("min-relative-change"),
                    HigherIsBetter = higher is null ? null : higher is "true" ? true : higher is "false" ? false : throw Errors.Config(section.Where("higher-is-better"), $"'{higher}' is not true or false."),
                    Test = test,
                });
                section.Done("threshold", "min-change", "min-relative-change", "higher-is-better", "test");
            }
        }

        var slices = new SliceSettings();
        if (e.Section("slices") is { } sl)
        {
            slices = new SliceSettings
            {
                Columns = sl.List("columns") ?? [],
                MinSize = (int)(sl.Number("min-size", 1, int.MaxValue) ?? new SliceSettings().MinSize),
                Metric = sl.String("metric"),
                MaxGap = sl.Number("max-gap", 0),
            };
            sl.Done("columns", "min-size", "metric", "max-gap");
        }

        var boot = e.Section("bootstrap");
        var importance = e.Section("importance");
        var defaults = new EvaluateSettings();
        var baseline = e.String("baseline") ?? defaults.Baseline;
        var settings = new EvaluateSettings
        {
            Baseline = baseline,
            BaselinePath = resolve(baseline),
            Split = e.String("split") ?? defaults.Split,
            Threshold = e.Number("threshold", 0, 1) ?? defaults.Threshold,
            Gates = gates,
            Slices = slices,
            Resamples = (int)(boot?.Number("resamples", 0, 1_000_000) ?? defaults.Resamples),
            Confidence = boot?.Number("confidence", 0.5, 0.9999) ?? defaults.Confidence,
            Seed = (int)(e.Number("seed", 0, int.MaxValue) ?? defaults.Seed),
            ImportanceRepeats = (int)(importance?.Number("repeats", 0, 100) ?? defaults.ImportanceRepeats),
            ImportanceRows = (int)(importance?.Number("max-rows", 1, int.MaxValue) ?? defaults.ImportanceRows),
            FirstModelAllowed = e.String("first-model") switch
            {
                null or "deny" => false,
                "allow" => true,
                var other => throw Errors.Config(e.Where("first-model"), $"'{other}' is not allow or deny."),
            },
            MinDetectableChange = e.Number("min-detectable-change", 0),
            MaxLatencyP95Ms = e.Number("max-latency-p95-ms", 0),
            MaxModelSizeMb = e.Number("max-model-size-mb", 0),
            Output = e.String("output"),
        };
        boot?.Done("resamples", "confidence");
        importance?.Done("repeats", "max-rows");
        e.Done("baseline", "first-model", "split", "threshold", "gates", "slices", "bootstrap", "seed", "importance", "min-detectable-change", "max-latency-p95-ms", "max-model-size-mb", "output");
        return settings;
    }

    /// <summary>Parses 90, 90s, 15m, 2h (seconds by default).</summary>
    public static TimeSpan ParseDuration(string s, string where) => Durations.ParseDuration(s, where);

    /// <summary>Parses 90m, 24h, 7d as a window of time (a log's age, a window of a series); <paramref name="where"/> names where it came from.</summary>
    public static TimeSpan ParseWindow(string s, string where) => Durations.ParseWindow(s, where);

    private static SplitSettings BindSplit(ConfigSection s, Func<string, string> resolve)
    {
        var fractions = new List<(string, double)>();
        if (s.Section("fractions") is { } f)
        {
            foreach (var name in new[] { "train", "eval", "test" })
            {
                if (f.Number(name, 0, 1) is { } x) fractions.Add((name, x));
            }

            f.Done("train", "eval", "test");
        }

        var settings = new SplitSettings
        {
            Key = s.String("key"),
            Fractions = fractions.Count > 0 ? fractions : SplitSettings.DefaultFractions,
            Salt = s.String("salt") ?? new SplitSettings().Salt,
            Output = s.String("output"),
        };
        s.Done("key", "fractions", "salt", "output");
        return settings;
    }
}

/// <summary>validate: in mlops.yaml.</summary>
public sealed record ValidateSettings
{
    /// <summary>A committed schema.json to validate against.</summary>
    public string? Schema { get; init; }

    /// <summary>The baseline: a dataset path (file, folder, glob) or a stats.json.</summary>
    public string? Baseline { get; init; }

    /// <summary>The output folder (relative to the working directory).</summary>
    public string? Output { get; init; }

    /// <summary>Drift rules.</summary>
    public DriftOptions Drift { get; init; } = new();

    /// <summary>exact-values: distinct numeric values per column counted exactly (default 65,536; 0 for sketches only).</summary>
    public int ExactValues { get; init; } = Validation.Statistics.ColumnProfile.DefaultExactValues;
}
