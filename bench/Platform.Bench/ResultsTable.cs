using System.Globalization;
using System.Text;

namespace Platform.Bench;

/// <summary>One line of the table: a measurement of ours beside its reference, and the goal it is judged by.</summary>
public sealed record ResultRow(string Id, string Scenario, string Ours, string Reference, string Ratio, string Goal, bool? Met = null);

public sealed class ResultsTable
{
    private readonly List<ResultRow> _rows = [];

    public void Add(ResultRow row) => _rows.Add(row);

    public void AddRange(IEnumerable<ResultRow> rows) => _rows.AddRange(rows);

    public static string Ratio(double ours, double reference) =>
        reference == 0 ? "-" : (ours / reference).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("| # | scenario | ours | reference | ratio | goal | met |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in _rows)
        {
            var met = r.Met switch { true => "yes", false => "**no**", null => "-" };
            text.AppendLine($"| {r.Id} | {r.Scenario} | {r.Ours} | {r.Reference} | {r.Ratio} | {r.Goal} | {met} |");
        }

        return text.ToString();
    }

    public void Print() => Console.WriteLine(Render());

    public async Task AppendToAsync(string path)
    {
        var header = $"## {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC — {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}\n\n";
        var existing = File.Exists(path) ? await File.ReadAllTextAsync(path) : "# Benchmark results\n\nEach run appends its table; both sides of every row were measured in that run on this machine.\n\n";
        await File.WriteAllTextAsync(path, existing + header + Render() + "\n");
        Console.WriteLine($"Results appended to {path}");
    }
}
