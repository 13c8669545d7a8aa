using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MlOps.Tests.Architecture;

/// <summary>
/// The layering the architecture promises, read from the compiled IL (signatures and method
/// bodies alike): no namespace cycle inside Core, and Core never reaches Serving or the CLI.
/// </summary>
public sealed class DependencyTests
{
    private static readonly string[] Assemblies = ["MlOps.Core", "MlOps.Serving", "mlops"];

    [Fact]
    public void Core_has_no_namespace_cycles()
    {
        var edges = Edges("MlOps.Core");
        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).ToList();
        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(c => Describe(c, edges))));
    }

    [Fact]
    public void Core_and_Serving_never_reference_the_layers_above_them()
    {
        foreach (var (assembly, forbidden) in new[] { ("MlOps.Core", new[] { "MlOps.Serving", "mlops" }), ("MlOps.Serving", new[] { "mlops" }) })
        {
            using var module = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
            var references = module.AssemblyReferences.Select(r => r.Name).ToList();
            foreach (var name in forbidden) Assert.DoesNotContain(name, references);
        }
    }

    [Fact]
    public void Only_one_place_reads_the_process_environment()
    {
        // Everything else takes the injected environment, so tests never set process-wide variables.
        var readers = new List<string>();
        foreach (var assembly in Assemblies)
        {
            using var module = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
            foreach (var type in module.GetTypes())
            {
                foreach (var method in type.Methods.Where(m => m.HasBody))
                {
                    if (method.Body.Instructions.Any(i => i.Operand is MethodReference { DeclaringType.FullName: "System.Environment", Name: "GetEnvironmentVariable" or "GetEnvironmentVariables" }))
                    {
                        readers.Add($"{type.FullName}.{method.Name}");
                    }
                }
            }
        }

        Assert.Equal(["MlOps.ProcessEnvironment.Read"], readers);
    }

    [Fact]
    public void The_checker_sees_references_inside_method_bodies()
    {
        // Evaluation's evaluator calls into Scoring only inside its body: the graph must see it.
        var edges = Edges("MlOps.Core");
        Assert.Contains("MlOps.Scoring", edges["MlOps.Evaluation"].Keys);
        Assert.Contains(Assemblies, a => a == "MlOps.Core");
    }

    /// <summary>Area → area it uses → one example "Type → Type" for the message. An area is MlOps.X (nested namespaces belong to it).</summary>
    private static Dictionary<string, Dictionary<string, string>> Edges(string assembly)
    {
        using var module = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in module.GetTypes())
        {
            var from = Area(type);
            if (from is null) continue;
            if (!edges.TryGetValue(from, out var targets)) edges[from] = targets = new(StringComparer.Ordinal);
            void Use(TypeReference? reference)
            {
                if (reference is null) return;
                if (reference is GenericInstanceType generic)
                {
                    foreach (var argument in generic.GenericArguments) Use(argument);
                }

                var element = reference.GetElementType();
                if (element.Scope.Name != module.Name && element.Scope.Name != module.Assembly.Name.Name) return;
                var to = Area(element);
                if (to is not null && to != from) targets.TryAdd(to, $"{type.FullName} → {element.FullName}");
            }

            Use(type.BaseType);
            foreach (var i in type.Interfaces) Use(i.InterfaceType);
            foreach (var f in type.Fields) Use(f.FieldType);
            foreach (var p in type.Properties) Use(p.PropertyType);
            foreach (var m in type.Methods)
            {
                Use(m.ReturnType);
                foreach (var p in m.Parameters) Use(p.ParameterType);
                if (!m.HasBody) continue;
                foreach (var v in m.Body.Variables) Use(v.VariableType);
                foreach (var instruction in m.Body.Instructions)
                {
                    switch (instruction.Operand)
                    {
                        case TypeReference t: Use(t); break;
                        case MethodReference mr:
                            Use(mr.DeclaringType);
                            Use(mr.ReturnType);
                            if (mr is GenericInstanceMethod gm) foreach (var a in gm.GenericArguments) Use(a);
                            break;
                        case FieldReference fr: Use(fr.DeclaringType); Use(fr.FieldType); break;
                    }
                }
            }
        }

        return edges;
    }

    private static string? Area(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        var ns = type.Namespace;
        if (ns.Length == 0) return null; // <Module>, compiler-generated roots
        var parts = ns.Split('.');
        return parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : parts[0];
    }

    // Tarjan's algorithm: each strongly connected component of more than one area is a cycle.
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<List<string>>();
        var next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in edges.GetValueOrDefault(v)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                component.Add(x);
            }
            while (x != v);
            result.Add(component);
        }

        foreach (var v in edges.Keys.Order(StringComparer.Ordinal)) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    private static string Describe(List<string> cycle, Dictionary<string, Dictionary<string, string>> edges)
    {
        var members = cycle.ToHashSet(StringComparer.Ordinal);
        var lines = cycle.SelectMany(a => edges[a].Where(e => members.Contains(e.Key)).Select(e => $"  {a} → {e.Key} (e.g. {e.Value})"));
        return $"cycle among {string.Join(", ", cycle.Order(StringComparer.Ordinal))}:\n{string.Join("\n", lines)}";
    }
}
