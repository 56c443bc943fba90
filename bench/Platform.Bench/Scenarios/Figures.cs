namespace Platform.Bench;

/// <summary>How the bench writes figures: invariant culture, units spelled out, "-" for no value.</summary>
public static class Formatting
{
    public static string F(double value, string format = "0.0") => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
    public static string Ms(double value) => double.IsNaN(value) ? "-" : F(value, value < 10 ? "0.0" : "0") + " ms";
    public static string Mib(long bytes) => F(bytes / 1024.0 / 1024.0, "0") + " MiB";
}

public static class Statistics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IEnumerable<double> values, double percentile) => PercentileOfSorted([.. values.Order()], percentile);

    public static double PercentileOfSorted(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Max(0, Math.Ceiling(sorted.Length * percentile) - 1))];

    /// <summary>Fails the scenario when what it measured is not what it set out to measure.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }
}
