using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Gives PostgreSQL and the API separate cores (taskset, every thread), as their own containers or hosts have in a
/// deployment: P4's cleanup is one PostgreSQL backend at 100 % of a core, and on cores it shares with the API it takes
/// that CPU from the logins' bcrypt, which no cleanup design can avoid. Backends PostgreSQL forks later inherit its
/// postmaster's cores.
/// </summary>
internal sealed class CpuPinning : IAsyncDisposable
{
    private readonly int _postmaster;

    private CpuPinning(int postmaster, string postgresCpus, string apiCpus)
    {
        _postmaster = postmaster;
        PostgresCpus = postgresCpus;
        ApiCpus = apiCpus;
    }

    public string PostgresCpus { get; }

    public string ApiCpus { get; }

    public static bool Possible => Environment.ProcessorCount >= 2;

    /// <summary>PostgreSQL on the first half of the cores, the API (see <see cref="PinApiAsync"/>) on the rest.</summary>
    public static async Task<CpuPinning> SplitAsync(BenchEnvironment environment)
    {
        var postmaster = ProcessCpuTime.PostmasterPid(environment)
            ?? throw new InvalidOperationException($"No PostgreSQL postmaster on port {environment.Postgres.Port}");
        var half = Environment.ProcessorCount / 2;
        var pinning = new CpuPinning(postmaster, Range(0, half - 1), Range(half, Environment.ProcessorCount - 1));
        await PinAsync(PostgresProcesses(postmaster), pinning.PostgresCpus);
        return pinning;
    }

    public Task PinApiAsync(int processId) => PinAsync([processId], ApiCpus);

    public async ValueTask DisposeAsync() =>
        await PinAsync(PostgresProcesses(_postmaster), Range(0, Environment.ProcessorCount - 1));

    private static async Task PinAsync(IEnumerable<int> processIds, string cpus)
    {
        foreach (var pid in processIds)
        {
            await Tools.RunAsync("taskset", ["-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture)]);
        }
    }

    private static string Range(int first, int last) => first == last ? $"{first}" : $"{first}-{last}";

    private static List<int> PostgresProcesses(int postmaster) => [postmaster, .. ProcessCpuTime.ChildrenOf(postmaster)];
}
