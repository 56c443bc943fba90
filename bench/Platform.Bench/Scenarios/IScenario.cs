namespace Platform.Bench;

/// <summary>One benchmark: ours and its reference, measured in the same run.</summary>
public interface IScenario
{
    string Id { get; }

    string Title { get; }

    Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment);
}
