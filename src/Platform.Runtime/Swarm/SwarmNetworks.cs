using Docker.DotNet.Models;

namespace Platform.Runtime.Swarm;

/// <summary>
/// Tenant networks on a swarm: attachable overlay networks <see cref="RuntimeLabels.TenantNetwork"/>, labelled with
/// the tenant and the scope. A manager keeps network names unique (a second create of a name is refused with 409),
/// so two workers ensuring the same tenant's network at once end with one network.
/// </summary>
internal sealed class SwarmNetworks(SwarmManager manager)
{
    public const string Driver = "overlay";

    /// <summary>Creates the network unless one of its name is there (of this scope; another scope's is a conflict).</summary>
    public async Task EnsureAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var name = RuntimeLabels.TenantNetwork(tenantId);
        if (await FindAsync(name, cancellationToken) is { } existing)
        {
            if (!manager.InScope(existing.Labels))
            {
                throw new RuntimeOperationException(RuntimeErrorKind.Conflict, $"The network {name} on {manager.Endpoint} belongs to another scope.");
            }

            return;
        }

        try
        {
            await manager.CallAsync(() => manager.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = name,
                Driver = Driver,
                Attachable = true,
                Labels = new Dictionary<string, string>
                {
                    [RuntimeLabels.TenantId] = tenantId.ToString(),
                    [RuntimeLabels.Scope] = manager.Options.Scope,
                },
            }, cancellationToken), cancellationToken);
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.Conflict)
        {
            // Created meanwhile by another caller: what was asked for, when it is of this scope.
            if (await FindAsync(name, cancellationToken) is not { } created || !manager.InScope(created.Labels))
            {
                throw;
            }
        }
    }

    public async Task<IReadOnlyList<Guid>> ListAsync(CancellationToken cancellationToken)
    {
        var networks = await ScopeNetworksAsync(cancellationToken);
        return [.. networks
            .Select(n => SwarmManager.TryLabel(n.Labels, RuntimeLabels.TenantId, out var tenant) && n.Name == RuntimeLabels.TenantNetwork(tenant) ? tenant : Guid.Empty)
            .Where(t => t != Guid.Empty)
            .Distinct()];
    }

    /// <summary>Removes the tenant's network; false when there was none. One that agents still use is a conflict.</summary>
    public async Task<bool> RemoveAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (await FindAsync(RuntimeLabels.TenantNetwork(tenantId), cancellationToken) is not { } network || !manager.InScope(network.Labels))
        {
            return false;
        }

        try
        {
            await manager.CallAsync(() => manager.Client.Networks.DeleteNetworkAsync(network.ID, cancellationToken), cancellationToken);
            return true;
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return false; // removed meanwhile
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.Invalid)
        {
            // A manager refuses to remove a network that tasks still use with 400 (a failed precondition, to swarmkit).
            throw new RuntimeOperationException(RuntimeErrorKind.Conflict, ex.Message, ex);
        }
    }

    private async Task<NetworkResponse?> FindAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var network = await manager.CallAsync(() => manager.Client.Networks.InspectNetworkAsync(name, cancellationToken), cancellationToken);

            // Inspect also resolves ids and id prefixes.
            return network.Name == name ? network : null;
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<NetworkResponse>> ScopeNetworksAsync(CancellationToken cancellationToken)
    {
        var networks = await manager.CallAsync(() => manager.Client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [manager.ScopeLabel] = true },
            },
        }, cancellationToken), cancellationToken);

        // Not filtered by driver: a manager lists a new network's driver only once it has allocated the network.
        return [.. networks.Where(n => manager.InScope(n.Labels))];
    }
}
