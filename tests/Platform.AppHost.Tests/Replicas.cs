using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Platform.AppHost.Tests;

/// <summary>One replica of a project: DCP's executable name, the PID of the process DCP started and its own address (not the proxy's).</summary>
public sealed record Replica(string Name, int ProcessId, Uri Address)
{
    public override string ToString() => $"{Name} (pid {ProcessId}, {Address})";
}

internal static class Replicas
{
    private const string PidProperty = "executable.pid";

    /// <summary>
    /// The running replicas of a project. Aspire publishes one snapshot per replica (resource id
    /// <c>api-xxxxxxxx</c>) whose URLs are the shared proxy's; the port DCP allocated to that one
    /// process is in its effective <c>ASPNETCORE_URLS</c>.
    /// </summary>
    public static async Task<IReadOnlyList<Replica>> WaitForRunningAsync(
        DistributedApplication app, string resource, int count, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AppHostRun.StartTimeout);
        var running = new Dictionary<string, Replica>();
        await foreach (var update in app.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (update.Resource.Name != resource)
            {
                continue;
            }

            if (update.Snapshot.State?.Text == KnownResourceStates.Running && TryRead(update, out var replica))
            {
                running[update.ResourceId] = replica;
            }
            else
            {
                running.Remove(update.ResourceId);
            }

            if (running.Count == count)
            {
                return [.. running.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
            }
        }

        throw new InvalidOperationException($"The notifications of {resource} ended before {count} replicas ran.");
    }

    /// <summary>Each replica answers /health itself: Aspire's health check only probes the proxy, so any one replica.</summary>
    public static async Task WaitForHealthyAsync(IEnumerable<Replica> replicas, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AppHostRun.StartTimeout);
        foreach (var replica in replicas)
        {
            using var client = new HttpClient { BaseAddress = replica.Address };
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync("/health", timeout.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);
            }
        }
    }

    private static bool TryRead(ResourceEvent update, out Replica replica)
    {
        replica = null!;
        var urls = update.Snapshot.EnvironmentVariables.FirstOrDefault(e => e.Name == "ASPNETCORE_URLS")?.Value;
        var pid = update.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value;
        if (urls is null || pid is null || !Uri.TryCreate(urls.Split(';')[0], UriKind.Absolute, out var address))
        {
            return false;
        }

        replica = new Replica(update.ResourceId, Convert.ToInt32(pid, CultureInfo.InvariantCulture), address);
        return true;
    }
}
