using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>How the scenarios write figures: invariant culture, units spelled out.</summary>
internal static class Formatting
{
    public static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Ms(double value) => F(value) + " ms";

    public static string Mib(long bytes) => F(bytes / 1024.0 / 1024.0, "0") + " MiB";

    public static string Mb(long bytes) => F(bytes / 1024.0 / 1024.0, "0") + " MB";
}
