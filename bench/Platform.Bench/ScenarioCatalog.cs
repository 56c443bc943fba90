namespace Platform.Bench;

/// <summary>One benchmark: ours and its reference, measured in the same run.</summary>
public interface IScenario
{
    string Id { get; }

    string Title { get; }

    Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment);
}

public static class ScenarioCatalog
{
    /// <summary>Every scenario class in this assembly, in id order (P1, P2, ...).</summary>
    public static readonly IScenario[] All = [.. typeof(ScenarioCatalog).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IScenario).IsAssignableFrom(t))
        .Select(t => (IScenario)Activator.CreateInstance(t)!)
        .OrderBy(s => s.Id, StringComparer.Ordinal)];

    public static List<IScenario> Select(IEnumerable<string> names)
    {
        var wanted = names.Select(n => n.ToLowerInvariant()).ToHashSet();
        return wanted.Contains("all") ? [.. All] : [.. All.Where(s => wanted.Contains(s.Id.ToLowerInvariant()))];
    }
}
