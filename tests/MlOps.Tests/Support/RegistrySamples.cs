using MlOps.Registry;

namespace MlOps.Tests.Support;

/// <summary>A small version to register: a model.onnx with the given content (and optionally a notes.md beside it).</summary>
public static class RegistrySamples
{
    public static NewVersion Version(TempDir dir, string name, string content, bool withNotes = false)
    {
        var files = new List<ArtifactFile> { new("model.onnx", dir.File($"{Guid.NewGuid():N}/model.onnx", content)) };
        if (withNotes) files.Add(new ArtifactFile("notes.md", dir.File($"{Guid.NewGuid():N}/notes.md", "notes " + content)));
        return new NewVersion
        {
            Name = name,
            ModelFile = "model.onnx",
            Files = files,
            Manifest = new ModelVersion { Name = name, Version = 0, CreatedAt = default, CreatedBy = Actor.Current(), ModelFile = "model.onnx", Format = "onnx", Artifacts = [] },
        };
    }
}
