namespace Platform.Worker.Jobs;

/// <summary>Thread-safe named counters a job reports as it goes.</summary>
public sealed class JobCounts
{
    private readonly Dictionary<string, long> _counts = [];

    public void Add(string name, long value)
    {
        lock (_counts)
        {
            _counts[name] = _counts.GetValueOrDefault(name) + value;
        }
    }

    public IReadOnlyDictionary<string, long> Snapshot()
    {
        lock (_counts)
        {
            return new Dictionary<string, long>(_counts);
        }
    }
}
