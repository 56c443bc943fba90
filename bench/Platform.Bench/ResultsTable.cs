using System.Globalization;
using System.Text;

namespace Platform.Bench;

/// <summary>One line of the table: a measurement of ours beside its reference, and the goal it is judged by.</summary>
public sealed record ResultRow(string Id, string Scenario, string Ours, string Reference, string Ratio, string Goal, bool? Met = null);

/// <summary>
/// A run's rows, and bench/RESULTS.md: a short header, the latest table (the newest rows of each scenario; a run replaces
/// the rows of the scenarios it ran), then one line per run, newest first. The run's whole console output goes to
/// bench/results/yyyy-MM-dd.md, of which the newest few files are kept.
/// </summary>
public sealed class ResultsTable
{
    private const string Header = "| # | scenario | goal | ours | reference | ratio | met |";
    private const string RunsHeading = "## Runs";
    private const int KeptRawFiles = 5;
    private static readonly string Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";
    private readonly List<ResultRow> _rows = [];

    public void Add(ResultRow row) => _rows.Add(row);

    public void AddRange(IEnumerable<ResultRow> rows) => _rows.AddRange(rows);

    public static string Ratio(double ours, double reference) =>
        reference == 0 ? "-" : (ours / reference).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    public string Render() => Render(_rows.Select(Line));

    /// <summary>Writes the run into bench/RESULTS.md and its console output into bench/results/.</summary>
    public async Task SaveAsync(string what)
    {
        var now = DateTime.UtcNow;
        var stamp = now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        var bench = Path.Combine(BenchEnvironment.RepositoryRoot, "bench");
        var path = Path.Combine(bench, "RESULTS.md");
        var old = File.Exists(path) ? await File.ReadAllLinesAsync(path) : [];
        var ids = _rows.Select(r => r.Id).ToHashSet();

        // Kept: the table's rows and measured-at notes of the scenarios this run did not measure, and the earlier runs.
        var keptRows = old.SkipWhile(l => l != Header).Skip(2).TakeWhile(l => l.StartsWith("| ", StringComparison.Ordinal))
            .Where(l => !ids.Contains(l.Split('|')[1].Trim()));
        var measured = old.FirstOrDefault(l => l.StartsWith("Measured: ", StringComparison.Ordinal))?["Measured: ".Length..].Split("; ")
            .Where(m => !ids.Contains(m.Split(' ')[0])) ?? [];
        var runs = old.SkipWhile(l => l != RunsHeading).Skip(2).Where(l => l.StartsWith("- ", StringComparison.Ordinal));
        var goals = _rows.Where(r => r.Met is not null).ToList();
        var summary = $"- {stamp} — {Machine}, load average {ProcStat.LoadAverage()}: {what}; {goals.Count(r => r.Met == true)} of {goals.Count} goal rows met" +
            (goals.Any(r => r.Met == false) ? $" (not: {string.Join(", ", goals.Where(r => r.Met == false).Select(r => r.Id).Distinct())})" : "") +
            $"; raw output in results/{now:yyyy-MM-dd}.md";

        var text = new StringBuilder();
        text.AppendLine("# Benchmark results").AppendLine();
        text.AppendLine("Both sides of every row were measured in the same run on this machine (`bench/run.sh`; how each scenario measures is");
        text.AppendLine("in `bench/README.md`). The table holds the newest rows of each scenario; each run's console output is kept in");
        text.AppendLine("`bench/results/` (the newest few days).").AppendLine();
        text.AppendLine("## Latest").AppendLine();
        text.AppendLine("Measured: " + string.Join("; ", measured.Concat(ids.Select(id => $"{id} {stamp}")).Order(StringComparer.Ordinal))).AppendLine();
        text.Append(Render(keptRows.Concat(_rows.Select(Line)).OrderBy(l => l.Split('|')[1].Trim(), StringComparer.Ordinal)));
        text.AppendLine().AppendLine(RunsHeading).AppendLine().AppendLine(summary);
        foreach (var run in runs)
        {
            text.AppendLine(run);
        }

        await File.WriteAllTextAsync(path, text.ToString());
        await SaveRawAsync(Path.Combine(bench, "results"), now, stamp, what);
        Console.WriteLine($"Results written to {path}");
    }

    /// <summary>Appends this run's table and console output to the day's file; keeps the newest few files.</summary>
    private async Task SaveRawAsync(string directory, DateTime now, string stamp, string what)
    {
        Directory.CreateDirectory(directory);
        var raw = new StringBuilder().AppendLine($"## {stamp} — {Machine}: {what}").AppendLine().Append(Render())
            .AppendLine().AppendLine("```").Append(ConsoleOutput()).AppendLine("```").AppendLine();
        await File.AppendAllTextAsync(Path.Combine(directory, $"{now:yyyy-MM-dd}.md"), raw.ToString());
        foreach (var stale in Directory.GetFiles(directory, "*.md").Order(StringComparer.Ordinal).SkipLast(KeptRawFiles))
        {
            File.Delete(stale);
        }
    }

    /// <summary>What the run printed so far: bench/run.sh tees the console into the file PLATFORM_BENCH_LOG names.</summary>
    private static string ConsoleOutput() =>
        Environment.GetEnvironmentVariable("PLATFORM_BENCH_LOG") is { Length: > 0 } log && File.Exists(log) ? File.ReadAllText(log).TrimEnd() + "\n" : "(no console log)\n";

    private static string Line(ResultRow r) =>
        $"| {r.Id} | {r.Scenario} | {r.Goal} | {r.Ours} | {r.Reference} | {r.Ratio} | {r.Met switch { true => "yes", false => "**no**", null => "-" }} |";

    private static string Render(IEnumerable<string> lines) =>
        new StringBuilder().AppendLine(Header).AppendLine("|---|---|---|---|---|---|---|").AppendJoin('\n', lines).AppendLine().ToString();
}
