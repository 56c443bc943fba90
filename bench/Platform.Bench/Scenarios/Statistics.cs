namespace Platform.Bench.Scenarios;

internal static class Statistics
{
    /// <summary>The middle value (the mean of the two middle ones for an even count); 0 when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The nearest-rank percentile (0 to 1); 0 when there are no values.</summary>
    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : PercentileOfSorted(sorted, percentile);
    }

    /// <summary>The nearest-rank percentile of values already in ascending order; NaN when there are none.</summary>
    public static double PercentileOfSorted(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Max(0, Math.Ceiling(sorted.Length * percentile) - 1))];
}
