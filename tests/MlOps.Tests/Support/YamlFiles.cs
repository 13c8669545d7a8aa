using YamlDotNet.RepresentationModel;

namespace MlOps.Tests.Support;

/// <summary>Reads the YAML files the tests inspect (action.yml, workflows, pipelines).</summary>
public static class YamlFiles
{
    /// <summary>The first document's root mapping.</summary>
    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
