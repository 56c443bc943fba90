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
    private readonly int _postgresPort;

    private CpuPinning(int postgresPort, string postgresCpus, string apiCpus)
    {
        _postgresPort = postgresPort;
        PostgresCpus = postgresCpus;
        ApiCpus = apiCpus;
    }

    public string PostgresCpus { get; }

    public string ApiCpus { get; }

    public static bool Possible => Environment.ProcessorCount >= 2;

    /// <summary>PostgreSQL on the first half of the cores, the API (see <see cref="PinApiAsync"/>) on the rest.</summary>
    public static async Task<CpuPinning> SplitAsync(int postgresPort)
    {
        var half = Environment.ProcessorCount / 2;
        var pinning = new CpuPinning(postgresPort, Range(0, half - 1), Range(half, Environment.ProcessorCount - 1));
        await PinAsync(PostgresProcesses(postgresPort), pinning.PostgresCpus);
        return pinning;
    }

    public Task PinApiAsync(int processId) => PinAsync([processId], ApiCpus);

    public async ValueTask DisposeAsync() =>
        await PinAsync(PostgresProcesses(_postgresPort), Range(0, Environment.ProcessorCount - 1));

    private static async Task PinAsync(IEnumerable<int> processIds, string cpus)
    {
        foreach (var pid in processIds)
        {
            await Tools.RunAsync("taskset", ["-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture)]);
        }
    }

    private static string Range(int first, int last) => first == last ? $"{first}" : $"{first}-{last}";

    /// <summary>The postmaster listening on <paramref name="port"/> and its children (backends and helpers).</summary>
    private static List<int> PostgresProcesses(int port)
    {
        var processes = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToList();
        var postmaster = processes.FirstOrDefault(pid => Read($"/proc/{pid}/cmdline")?.Split('\0') is { } args
            && Path.GetFileName(args[0]) == "postgres" && args.Contains(port.ToString(CultureInfo.InvariantCulture)));
        if (postmaster == 0)
        {
            throw new InvalidOperationException($"No PostgreSQL postmaster on port {port}");
        }

        return [postmaster, .. processes.Where(pid => ParentOf(pid) == postmaster)];
    }

    private static int ParentOf(int pid) =>
        Read($"/proc/{pid}/stat") is { } stat && stat[(stat.LastIndexOf(')') + 2)..].Split(' ') is [_, var parent, ..]
            ? int.Parse(parent, CultureInfo.InvariantCulture)
            : 0;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // the process ended
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
