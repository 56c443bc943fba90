namespace Platform.Bench;

/// <summary>One line of the table: a measurement of ours beside its reference, and the goal it is judged by.</summary>
public sealed record ResultRow(string Id, string Scenario, string Ours, string Reference, string Ratio, string Goal, bool? Met = null);

/// <summary>
/// A run's rows, and bench/RESULTS.md: the latest table (the newest rows of each scenario; a run replaces the rows of the
/// scenarios it ran), then one line per run, newest first. The run's console output is appended to
/// bench/results/yyyy-MM-dd.md, of which the newest few files are kept.
/// </summary>
public sealed class ResultsTable
{
    private const string Header = "| # | scenario | goal | ours | reference | ratio | met |";
    private const string RunsHeading = "## Runs";
    private const int KeptRuns = 12, KeptRawFiles = 3;
    private static readonly string Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";
    private readonly List<ResultRow> _rows = [];

    public void Add(ResultRow row) => _rows.Add(row);
    public void AddRange(IEnumerable<ResultRow> rows) => _rows.AddRange(rows);
    public static string Ratio(double ours, double reference) => reference == 0 ? "-" : F(ours / reference, "0.00") + "×";
    public string Render() => Render(_rows.Select(Line));

    public async Task SaveAsync(string what)
    {
        var now = DateTime.UtcNow;
        var stamp = now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        var bench = Path.Combine(Repository.Root, "bench");
        var path = Path.Combine(bench, "RESULTS.md");
        var old = File.Exists(path) ? await File.ReadAllLinesAsync(path) : [];
        var ids = _rows.Select(r => r.Id).ToHashSet();
        string IdOf(string line) => line.Split('|')[1].Trim();

        // Kept: the rows and measured-at notes of the scenarios this run did not measure, and the latest earlier runs.
        var kept = old.SkipWhile(l => l != Header).Skip(2).TakeWhile(l => l.StartsWith("| ", StringComparison.Ordinal)).Where(l => !ids.Contains(IdOf(l)));
        var measured = old.FirstOrDefault(l => l.StartsWith("Measured: ", StringComparison.Ordinal))?["Measured: ".Length..].TrimEnd('.').Split("; ")
            .Where(m => !ids.Contains(m.Split(' ')[0])) ?? [];
        var runs = old.SkipWhile(l => l != RunsHeading).Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Take(KeptRuns - 1);
        var goals = _rows.Where(r => r.Met is not null).ToList();
        var missed = goals.Where(r => r.Met == false).Select(r => r.Id).Distinct().ToList();
        var summary = $"- {stamp} — {Machine}, load average {ProcStat.LoadAverage()}: {what}; {goals.Count(r => r.Met == true)} of {goals.Count} goal rows met" +
            (missed.Count > 0 ? $" (not: {string.Join(", ", missed)})" : "") + $"; raw output in results/{now:yyyy-MM-dd}.md";

        var text = new StringBuilder().AppendLine("# Benchmark results").AppendLine()
            .AppendLine("Both sides of every row were measured in the same run on this machine (`bench/run.sh`; what each scenario compares is")
            .AppendLine("in `bench/README.md`). The newest rows of each scenario, then one line per run; raw output in `bench/results/`.").AppendLine()
            .AppendLine("Measured: " + string.Join("; ", measured.Concat(ids.Select(id => $"{id} {stamp}")).OrderBy(Order)) + ".").AppendLine()
            .Append(Render(kept.Concat(_rows.Select(Line)).OrderBy(l => Order(IdOf(l)))))
            .AppendLine().AppendLine(RunsHeading).AppendLine().AppendLine(summary).AppendJoin('\n', runs).AppendLine();
        await File.WriteAllTextAsync(path, text.ToString());

        var raw = Path.Combine(bench, "results");
        Directory.CreateDirectory(raw);
        await File.AppendAllTextAsync(Path.Combine(raw, $"{now:yyyy-MM-dd}.md"), new StringBuilder().AppendLine($"## {stamp} — {Machine}: {what}").AppendLine()
            .Append(Render()).AppendLine().AppendLine("```").Append(ConsoleOutput()).AppendLine("```").AppendLine().ToString());
        foreach (var stale in Directory.GetFiles(raw, "*.md").Order(StringComparer.Ordinal).SkipLast(KeptRawFiles)) File.Delete(stale);

        Console.WriteLine($"Results written to {path}");
    }

    /// <summary>P1 … P10, then the soak.</summary>
    private static int Order(string id) => int.TryParse(id.Split(' ')[0].TrimStart('P'), out var n) ? n : int.MaxValue;

    /// <summary>What the run printed so far: bench/run.sh tees the console into the file PLATFORM_BENCH_LOG names.</summary>
    private static string ConsoleOutput() =>
        Environment.GetEnvironmentVariable("PLATFORM_BENCH_LOG") is { Length: > 0 } log && File.Exists(log) ? File.ReadAllText(log).TrimEnd() + "\n" : "(no console log)\n";

    private static string Line(ResultRow r) =>
        $"| {r.Id} | {r.Scenario} | {r.Goal} | {r.Ours} | {r.Reference} | {r.Ratio} | {r.Met switch { true => "yes", false => "**no**", null => "-" }} |";

    private static string Render(IEnumerable<string> lines) =>
        new StringBuilder().AppendLine(Header).AppendLine("|---|---|---|---|---|---|---|").AppendJoin('\n', lines).AppendLine().ToString();
}
