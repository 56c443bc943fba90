using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Runtime.Docker;

namespace Platform.Runtime.Swarm;

/// <summary>
/// The calls to a swarm manager that every part of the swarm backend shares: failure translation (a node that is not
/// a manager counts as no runtime at all), lookups that only ever see services of this scope, spec updates that
/// survive a concurrent update, and the manager's own node id.
/// </summary>
internal sealed class SwarmManager(DockerClient client, RuntimeOptions options)
{
    // A service update names the version it read; a concurrent update makes it fail, so read and try again.
    private const int UpdateAttempts = 3;

    private string? _localNodeId;

    public DockerClient Client => client;

    public RuntimeOptions Options => options;

    public string Endpoint => options.Endpoint;

    public string ScopeLabel => $"{RuntimeLabels.Scope}={options.Scope}";

    public async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            // What a node that is not (or no longer) a manager answers to every swarm call.
            throw new RuntimeUnavailableException(
                $"The Docker engine at {Endpoint} is not a swarm manager: {DockerClients.ErrorText(ex)}", ex);
        }
        catch (Exception ex) when (DockerClients.Translate(ex, Endpoint, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public Task CallAsync(Func<Task> call, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            await call();
            return true;
        }, cancellationToken);

    public bool InScope(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(RuntimeLabels.Scope, out var scope) && scope == options.Scope;

    /// <summary>The service of this scope with that id (or name); null when there is none.</summary>
    public async Task<SwarmService?> FindServiceAsync(string idOrName, CancellationToken cancellationToken)
    {
        try
        {
            var service = await CallAsync(() => client.Swarm.InspectServiceAsync(idOrName, cancellationToken), cancellationToken);
            return InScope(service.Spec?.Labels) ? service : null;
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return null;
        }
    }

    public async Task<SwarmService> GetServiceAsync(string workloadId, CancellationToken cancellationToken) =>
        await FindServiceAsync(workloadId, cancellationToken)
        ?? throw new RuntimeOperationException(RuntimeErrorKind.NotFound, $"No agent service {workloadId} of scope {options.Scope} on {Endpoint}.");

    public async Task<IReadOnlyList<SwarmService>> ListServicesAsync(CancellationToken cancellationToken)
    {
        var services = await CallAsync(() => client.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ScopeLabel] = true } },
            Status = true,
        }, cancellationToken), cancellationToken);
        return [.. services.Where(s => InScope(s.Spec?.Labels))];
    }

    /// <summary>
    /// Every task the manager still keeps of these services (its task history included). A service that is gone is
    /// left out; with one service asked for, its absence is a <see cref="RuntimeErrorKind.NotFound"/> error.
    /// </summary>
    public async Task<IReadOnlyList<TaskResponse>> TasksAsync(IReadOnlyCollection<string> serviceIds, CancellationToken cancellationToken)
    {
        if (serviceIds.Count == 0)
        {
            return [];
        }

        IList<TaskResponse> tasks;
        try
        {
            tasks = await CallAsync(() => client.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = serviceIds.ToDictionary(id => id, _ => true) },
            }, cancellationToken), cancellationToken);
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound && serviceIds.Count > 1)
        {
            // The manager refuses the whole filter when one service of it is gone: ask for each one.
            var each = new List<TaskResponse>();
            foreach (var id in serviceIds)
            {
                try
                {
                    each.AddRange(await TasksAsync([id], cancellationToken));
                }
                catch (RuntimeOperationException gone) when (gone.Kind == RuntimeErrorKind.NotFound)
                {
                }
            }

            tasks = each;
        }

        // The service filter also resolves names and id prefixes: keep the services asked for.
        return [.. tasks.Where(t => t.ServiceID is not null && serviceIds.Contains(t.ServiceID))];
    }

    public Task<IReadOnlyList<TaskResponse>> TasksAsync(string serviceId, CancellationToken cancellationToken) =>
        TasksAsync([serviceId], cancellationToken);

    /// <summary>Reads the service, changes its spec and writes it back, again when another update came first.</summary>
    public async Task<SwarmService> UpdateAsync(string serviceId, Func<SwarmService, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var service = await GetServiceAsync(serviceId, cancellationToken);
            if (!change(service))
            {
                return service;
            }

            try
            {
                await CallAsync(() => client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters
                {
                    Service = service.Spec!,
                    Version = checked((long)(service.Version?.Index ?? 0)),
                }, cancellationToken), cancellationToken);
                return await GetServiceAsync(serviceId, cancellationToken);
            }
            catch (RuntimeOperationException ex) when (ex.Kind is RuntimeErrorKind.Other or RuntimeErrorKind.Conflict && attempt < UpdateAttempts)
            {
                // Most likely "update out of sequence": read the newer version and apply the change to it.
            }
        }
    }

    /// <summary>The manager's own node: only tasks there can be inspected and sampled through this endpoint.</summary>
    public async Task<string?> LocalNodeIdAsync(CancellationToken cancellationToken)
    {
        if (_localNodeId is { } known)
        {
            return known;
        }

        var info = await CallAsync(() => client.System.GetSystemInfoAsync(cancellationToken), cancellationToken);
        return _localNodeId = info.Swarm?.NodeID is { Length: > 0 } node ? node : null;
    }

    public static bool TryLabel(IDictionary<string, string>? labels, string key, out Guid value)
    {
        value = Guid.Empty;
        return labels is not null && labels.TryGetValue(key, out var text)
            && Guid.TryParse(text, CultureInfo.InvariantCulture, out value) && value != Guid.Empty;
    }

    public static DateTimeOffset ToUtc(DateTime? value) => value switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Unspecified } unspecified => new DateTimeOffset(DateTime.SpecifyKind(unspecified, DateTimeKind.Utc)),
        { } known => new DateTimeOffset(known.ToUniversalTime()),
    };
}
