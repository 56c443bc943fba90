using Platform.Bench;

// bench/run.sh SCENARIO...: each scenario measures ours and its reference in the same run; the table goes to
// bench/RESULTS.md. bench/run.sh soak ... (bench/soak/run.sh) is the soak instead.
if (args is ["soak", .. var soakArgs])
{
    return await Platform.Bench.Soak.SoakCommand.RunAsync(soakArgs);
}

IScenario[] all = [.. typeof(IScenario).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IScenario).IsAssignableFrom(t))
    .Select(t => (IScenario)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Id, StringComparer.Ordinal)];
var wanted = (args.Length == 0 ? ["all"] : args).Select(a => a.ToUpperInvariant()).ToHashSet();
var scenarios = all.Where(s => wanted.Contains("ALL") || wanted.Contains(s.Id.ToUpperInvariant())).ToList();
if (scenarios.Count == 0)
{
    Console.Error.WriteLine($"usage: bench/run.sh [all | {string.Join(" | ", all.Select(s => s.Id.ToLowerInvariant()))}]...");
    return 2;
}

await using var environment = await BenchEnvironment.StartAsync();
var results = new ResultsTable();
foreach (var scenario in scenarios)
{
    Console.WriteLine($"== {scenario.Id}: {scenario.Title}");
    try
    {
        results.AddRange(await scenario.RunAsync(environment));
    }
    catch (Exception ex)
    {
        Console.Error.WriteLine($"{scenario.Id} failed: {ex}");
        results.Add(new ResultRow(scenario.Id, scenario.Title, "failed", "-", "-", ex.Message));
    }

    Console.WriteLine(results.Render());
}

await results.SaveAsync(string.Join(", ", scenarios.Select(s => s.Id)));
return 0;

namespace Platform.Bench
{
    /// <summary>One benchmark: ours and its reference, measured in the same run.</summary>
    public interface IScenario
    {
        string Id { get; }

        string Title { get; }

        Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment);
    }
}
