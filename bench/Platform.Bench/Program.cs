using Platform.Bench;

// bench/run.sh [all | p1 ... p10]: each scenario measures ours and its reference in the same run; the table goes to
// bench/RESULTS.md. bench/run.sh soak ... (bench/soak/run.sh) is the soak instead.
if (args is ["soak", .. var soakArgs]) return await SoakCommand.RunAsync(soakArgs);

IScenario[] all = [new P1AgentList(), new P2ActivityPost(), new P3ActivityFeed(), new P4TokenCleanup(), new P5AuditArchival(),
    new P6DockerPoll(), new P7HealthRollup(), new P8StartupMemory(), new P9Hibernation(), new P10Webhooks(),
    new P11DataGrowth()];
var wanted = args.Length == 0 ? ["ALL"] : args.Select(a => a.ToUpperInvariant()).ToArray();
var scenarios = all.Where(s => wanted.Contains("ALL") || wanted.Contains(s.Id)).ToList();
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
