namespace MlOps.Artifacts;

/// <summary>
/// The default output folder of each stage, relative to the working directory: the one place
/// that knows them (commands, actions, mlops run and the report all read them from here).
/// </summary>
public static class StageFolders
{
    /// <summary>The root every stage writes under.</summary>
    public const string Root = "mlops-out";

    /// <summary>mlops validate.</summary>
    public const string Validation = Root + "/validation";

    /// <summary>mlops split.</summary>
    public const string Split = Root + "/split";

    /// <summary>mlops train.</summary>
    public const string Train = Root + "/train";

    /// <summary>mlops evaluate.</summary>
    public const string Evaluation = Root + "/evaluation";

    /// <summary>The evaluation verdict register reads.</summary>
    public const string EvaluationFile = Evaluation + "/evaluation.json";

    /// <summary>Baselines pulled from the registry for evaluate.</summary>
    public const string Baseline = Root + "/baseline";

    /// <summary>mlops report's file.</summary>
    public const string Report = Root + "/report.md";

    /// <summary>mlops deploy.</summary>
    public const string Deploy = Root + "/deploy";

    /// <summary>mlops pull without -o.</summary>
    public const string Pulled = Root + "/pulled";

    /// <summary>The versions mlops serve pulls from the registry.</summary>
    public const string ServeCache = Root + "/serve-cache";
}
