using Platform.Bench;

// bench/run.sh SCENARIO...: each scenario measures ours and its reference in the same run and
// appends its rows to bench/RESULTS.md. bench/run.sh soak ... (bench/soak/run.sh) is the soak instead.
if (args is ["soak", .. var soakArgs])
{
    return await Platform.Bench.Soak.SoakCommand.RunAsync(soakArgs);
}

var requested = args.Length == 0 ? ["all"] : args;
var scenarios = ScenarioCatalog.Select(requested);
if (scenarios.Count == 0)
{
    Console.Error.WriteLine($"usage: bench/run.sh [all | {string.Join(" | ", ScenarioCatalog.All.Select(s => s.Id))}]...");
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

    results.Print();
}

await results.AppendToAsync(Path.Combine(BenchEnvironment.RepositoryRoot, "bench", "RESULTS.md"));
return 0;
