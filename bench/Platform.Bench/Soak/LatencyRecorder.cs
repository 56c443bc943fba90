using System.Collections.Concurrent;

namespace Platform.Bench.Soak;

/// <summary>How a scheduled request ended.</summary>
internal enum Outcome
{
    /// <summary>2xx.</summary>
    Success,

    /// <summary>5xx.</summary>
    ServerError,

    /// <summary>Any other status (4xx, or 1xx/3xx).</summary>
    OtherStatus,

    /// <summary>No answer within the request timeout.</summary>
    Timeout,

    /// <summary>The connection failed or broke.</summary>
    ConnectionError,

    /// <summary>Not sent: too many requests were still in flight (the client's own overload guard).</summary>
    NotSent,
}

/// <summary>
/// Latencies (milliseconds, from the scheduled send time to the last byte of the answer) and outcomes per
/// request kind and minute of the soak. Plain lists sorted at report time: a 10-minute soak at a few hundred
/// requests a second keeps well under a million numbers.
/// </summary>
internal sealed class LatencyRecorder(int minutes)
{
    private readonly ConcurrentDictionary<string, Bucket[]> _kinds = new();
    private readonly ConcurrentDictionary<(string Kind, int Status), long> _statuses = new();

    public int Minutes => minutes;

    public IReadOnlyList<string> Kinds => [.. _kinds.Keys.Order(StringComparer.Ordinal)];

    public void Record(string kind, TimeSpan scheduledAt, Outcome outcome, double? latencyMs, int? status = null)
    {
        var bucket = Buckets(kind)[Math.Clamp((int)scheduledAt.TotalMinutes, 0, minutes - 1)];
        lock (bucket)
        {
            bucket.Outcomes[(int)outcome]++;
            if (latencyMs is { } ms)
            {
                bucket.Latencies.Add(ms);
            }
        }

        if (status is { } code && outcome != Outcome.Success)
        {
            _statuses.AddOrUpdate((kind, code), 1, (_, n) => n + 1);
        }
    }

    /// <summary>Counts of one outcome, over every kind, or one kind, and every minute, or one minute.</summary>
    public long Count(Outcome outcome, string? kind = null, int? minute = null) =>
        Select(kind, minute).Sum(b => { lock (b) { return b.Outcomes[(int)outcome]; } });

    public long Total(string? kind = null, int? minute = null) =>
        Enum.GetValues<Outcome>().Sum(o => Count(o, kind, minute));

    /// <summary>Sorted latencies of answered requests.</summary>
    public double[] Latencies(string? kind = null, int? minute = null)
    {
        var all = new List<double>();
        foreach (var bucket in Select(kind, minute))
        {
            lock (bucket)
            {
                all.AddRange(bucket.Latencies);
            }
        }

        all.Sort();
        return [.. all];
    }

    /// <summary>Non-2xx statuses as "409 ×3 (POST /agents/{id}/metrics)", most frequent first.</summary>
    public IReadOnlyList<string> StatusSummary(Func<int, bool> which) =>
        [.. _statuses.Where(s => which(s.Key.Status)).OrderByDescending(s => s.Value)
            .Select(s => $"{s.Key.Status} ×{s.Value} ({s.Key.Kind})")];

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Max(0, Math.Ceiling(sorted.Length * p) - 1))];

    private Bucket[] Buckets(string kind) =>
        _kinds.GetOrAdd(kind, _ => [.. Enumerable.Range(0, minutes).Select(_ => new Bucket())]);

    private IEnumerable<Bucket> Select(string? kind, int? minute)
    {
        var kinds = kind is null ? _kinds.Values.ToArray() : _kinds.TryGetValue(kind, out var one) ? [one] : [];
        return kinds.SelectMany(buckets => minute is { } m ? [buckets[m]] : buckets);
    }

    private sealed class Bucket
    {
        public long[] Outcomes { get; } = new long[Enum.GetValues<Outcome>().Length];

        public List<double> Latencies { get; } = [];
    }
}
