using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MlOps.Tests.Deployment;

/// <summary>
/// templates/kubernetes/ validates against the Kubernetes API's own schemas (kubernetes-models);
/// the KServe resources use the fields KServe documents for a ClusterServingRuntime and an
/// InferenceService; and every container's args are options mlops serve has, with a grace
/// period longer than the preStop pause and the drain together.
/// </summary>
[Trait("Category", "Integration")]
public partial class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(Support.Cli.RepoRoot, "templates", "kubernetes");

    private static async Task<(int Code, List<JsonElement> Results)> CheckAsync(params string[] files)
    {
        var script = Path.Combine(Support.Cli.RepoRoot, "tools", "test-services", "k8s-check.mjs");
        var (code, stdout, stderr) = await Processes.RunAsync("node", [script, .. files], TimeSpan.FromSeconds(60), Path.GetDirectoryName(script));
        var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.True(results.Count > 0, stderr);
        return (code, results);
    }

    private static IEnumerable<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Folder, file));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
    }

    private static YamlNode At(YamlNode node, params object[] path)
    {
        foreach (var step in path) node = step is int i ? ((YamlSequenceNode)node)[i] : ((YamlMappingNode)node)[(string)step];
        return node;
    }

    private static string Text(YamlNode node, params object[] path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public async Task Every_manifest_validates_against_the_kubernetes_schemas_and_the_checker_can_fail()
    {
        var (code, results) = await CheckAsync(Directory.GetFiles(Folder, "*.yaml"));
        Assert.True(code == 0, string.Join("\n", results.Where(r => !r.GetProperty("ok").GetBoolean()).Select(r => r.ToString())));
        var kinds = results.Select(r => r.GetProperty("kind").GetString()).ToHashSet();
        foreach (var kind in new[] { "apps/v1/Deployment", "v1/Service", "autoscaling/v2/HorizontalPodAutoscaler", "policy/v1/PodDisruptionBudget", "v1/Secret", "serving.kserve.io/v1alpha1/ClusterServingRuntime", "serving.kserve.io/v1beta1/InferenceService" })
        {
            Assert.Contains(kind, kinds);
        }

        using var dir = new TempDir();
        var broken = dir.File("broken.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec:\n  replicas: three\n  selector: { matchLabels: { a: b } }\n  template: { metadata: { labels: { a: b } }, spec: { containers: [ { image: x } ] } }\n");
        var (bad, badResults) = await CheckAsync(broken);
        Assert.Equal(1, bad);
        Assert.False(Assert.Single(badResults).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void The_deployment_runs_non_root_probes_the_v2_health_routes_and_drains_within_its_grace_period()
    {
        var deployment = Documents("deployment.yaml").Single();
        var pod = At(deployment, "spec", "template", "spec");
        var container = At(pod, "containers", 0);
        Assert.Equal("true", Text(pod, "securityContext", "runAsNonRoot"));
        Assert.Equal("/v2/health/ready", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/v2/health/live", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("mlops-registry", Text(container, "env", 0, "valueFrom", "secretKeyRef", "name")); // credentials from a Secret
        var args = ((YamlSequenceNode)At(container, "args")).Select(a => ((YamlScalarNode)a).Value!).ToArray();
        var drain = double.Parse(Regex.Match(args[Array.IndexOf(args, "--drain") + 1], @"^(\d+)s$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var pause = double.Parse(Text(container, "lifecycle", "preStop", "sleep", "seconds"), System.Globalization.CultureInfo.InvariantCulture);
        var grace = double.Parse(Text(pod, "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pause + drain < grace, $"preStop {pause} s + drain {drain} s must fit in the grace period {grace} s");
        AssertServeArgs(args);
    }

    [Fact]
    public void The_kserve_runtime_and_inference_service_use_the_fields_kserve_documents()
    {
        var docs = Documents("kserve-runtime.yaml").ToList();
        var runtime = docs.Single(d => Text(d, "kind") == "ClusterServingRuntime");
        var service = docs.Single(d => Text(d, "kind") == "InferenceService");
        Assert.Equal("serving.kserve.io/v1alpha1", Text(runtime, "apiVersion"));
        Assert.Equal("serving.kserve.io/v1beta1", Text(service, "apiVersion"));

        // ServingRuntimeSpec: supportedModelFormats (name, version, autoSelect), protocolVersions, containers.
        var formats = ((YamlSequenceNode)At(runtime, "spec", "supportedModelFormats")).Select(f => Text(f, "name")).ToList();
        var protocols = ((YamlSequenceNode)At(runtime, "spec", "protocolVersions")).Select(p => ((YamlScalarNode)p).Value!).ToList();
        Assert.All(protocols, p => Assert.Contains(p, new[] { "v1", "v2", "grpc-v1", "grpc-v2" }));
        Assert.Contains("grpc-v2", protocols);
        var container = At(runtime, "spec", "containers", 0);
        Assert.Equal("kserve-container", Text(container, "name")); // the name KServe merges the predictor's settings into
        Assert.Contains("8081", ((YamlSequenceNode)At(container, "ports")).Select(p => Text(p, "containerPort")));
        var args = ((YamlSequenceNode)At(container, "args")).Select(a => ((YamlScalarNode)a).Value!).ToList();

        // The InferenceService names a format and protocol the runtime has, and the runtime itself.
        var model = At(service, "spec", "predictor", "model");
        Assert.Contains(Text(model, "modelFormat", "name"), formats);
        Assert.Contains(Text(model, "protocolVersion"), protocols);
        Assert.Equal(Text(runtime, "metadata", "name"), Text(model, "runtime"));
        Assert.StartsWith("https://", Text(model, "storageUri"), StringComparison.Ordinal);
        args.AddRange(((YamlSequenceNode)At(model, "args")).Select(a => ((YamlScalarNode)a).Value!));
        AssertServeArgs([.. args.Select(a => a == "{{.Name}}" ? "penguins" : a)]);
    }

    // The args parse as mlops serve's own options (an unknown flag or bad value would crash the pod);
    // the container's absolute paths are made under a temporary root, as the pod's volumes make them.
    private static void AssertServeArgs(string[] args)
    {
        Assert.Equal("serve", args[0]);
        using var pod = new TempDir();
        var local = args.Select(a => a.StartsWith('/') ? pod.Path + a : a).ToArray();
        foreach (var path in local.Where(a => a.StartsWith(pod.Path, StringComparison.Ordinal))) Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var root = MlOps.Cli.MlOpsCli.BuildRoot(new MlOps.Cli.CliConsole(TextWriter.Null, TextWriter.Null));
        var parse = root.Parse(local);
        Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
    }
}
