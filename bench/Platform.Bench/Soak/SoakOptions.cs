using System.Globalization;

namespace Platform.Bench.Soak;

/// <summary>
/// bench/soak/run.sh [--minutes N] [--rate REQ_PER_S] [--subscribers N] [--apis N] [--tenants N] [--no-append]. The
/// rate is the fixed total of scheduled requests; it is meant to be comfortable for the machine, not its maximum.
/// --no-append (for dry runs) prints the verdict without adding it to bench/RESULTS.md.
/// </summary>
internal sealed record SoakOptions(double Minutes, double Rate, int Subscribers, int ApiInstances, int Tenants, bool AppendResults = true)
{
    public const string Usage = "bench/soak/run.sh [--minutes N (10)] [--rate REQ_PER_S (120)] [--subscribers N (40)] [--apis N (2)] [--tenants N (4)] [--no-append]";

    public static readonly SoakOptions Default = new(Minutes: 10, Rate: 120, Subscribers: 40, ApiInstances: 2, Tenants: 4);

    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    /// <summary>Per-minute buckets of the report (the last one may be partial).</summary>
    public int MinuteCount => (int)Math.Ceiling(Minutes);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Minutes:0.##} min at {Rate:0} req/s, {ApiInstances} API instance(s) + worker, {Subscribers} SSE subscribers");

    /// <summary>The options, or null with the reason when an argument is not understood.</summary>
    public static (SoakOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = Default;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--no-append")
            {
                options = options with { AppendResults = false };
                continue;
            }

            if (i + 1 >= args.Count || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                return (null, $"{args[i]} needs a positive number");
            }

            options = args[i] switch
            {
                "--minutes" when value <= 120 => options with { Minutes = value },
                "--rate" when value <= 2000 => options with { Rate = value },
                "--subscribers" when value <= 1000 => options with { Subscribers = (int)value },
                "--apis" when value <= 4 => options with { ApiInstances = (int)value },
                "--tenants" when value <= 100 => options with { Tenants = (int)value },
                _ => null!,
            };
            if (options is null)
            {
                return (null, $"unknown option or value out of range: {args[i]} {args[i + 1]}");
            }

            i++;
        }

        return (options, null);
    }
}
