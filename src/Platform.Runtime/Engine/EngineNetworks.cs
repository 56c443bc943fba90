using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Platform.Runtime.Engine;

/// <summary>Tenant networks (<c>platform-tenant-{id}</c>, bridge) on one engine: only networks with this scope's label are seen or removed.</summary>
internal sealed class EngineNetworks(EngineConnection engine, ILogger logger)
{
    private string Scope => engine.Options.Scope;

    public async Task EnsureAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var name = RuntimeLabels.TenantNetwork(tenantId);
        var existing = await NamedAsync(name, cancellationToken);
        if (existing.Any(n => engine.IsOwn(n.Labels)))
        {
            return;
        }

        if (existing.Count > 0)
        {
            throw new RuntimeOperationException(RuntimeErrorKind.Conflict, $"A network named {name} exists at {engine.Endpoint} that is not of scope {Scope}.");
        }

        await engine.CallAsync((client, token) => client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = name,
            Driver = "bridge",
            Labels = new Dictionary<string, string>
            {
                [RuntimeLabels.TenantId] = tenantId.ToString(),
                [RuntimeLabels.Scope] = Scope,
            },
            Options = new Dictionary<string, string>(),
        }, token), cancellationToken);
        logger.LogInformation("Created network {Network}", name);
        await RemoveDuplicatesAsync(name, cancellationToken);
    }

    public async Task<IReadOnlyList<Guid>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        var networks = await engine.CallAsync((client, token) => client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [RuntimeLabels.TenantId] = true, [$"{RuntimeLabels.Scope}={Scope}"] = true },
            },
        }, token), cancellationToken);
        return [.. networks
            .Where(n => engine.IsOwn(n.Labels))
            .Select(n => EngineContainers.TryLabel(n.Labels, RuntimeLabels.TenantId, out var tenant) && n.Name == RuntimeLabels.TenantNetwork(tenant) ? tenant : Guid.Empty)
            .Where(t => t != Guid.Empty)
            .Distinct()];
    }

    public async Task<bool> RemoveAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var own = (await NamedAsync(RuntimeLabels.TenantNetwork(tenantId), cancellationToken)).Where(n => engine.IsOwn(n.Labels)).ToList();
        var removed = false;
        foreach (var network in own)
        {
            try
            {
                await engine.CallAsync((client, token) => client.Networks.DeleteNetworkAsync(network.ID, token), cancellationToken);
                removed = true;
            }
            catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
            {
                // Removed meanwhile.
            }
        }

        return removed;
    }

    /// <summary>The networks with exactly this name (the engine's name filter matches parts of names).</summary>
    private async Task<List<NetworkResponse>> NamedAsync(string name, CancellationToken cancellationToken) =>
        [.. (await engine.CallAsync((client, token) => client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
        }, token), cancellationToken)).Where(n => n.Name == name)];

    /// <summary>
    /// An engine of API 1.41 does not refuse a second network of the same name: when two workers created one at once,
    /// every creator keeps the oldest and removes the others, so they agree on the survivor.
    /// </summary>
    private async Task RemoveDuplicatesAsync(string name, CancellationToken cancellationToken)
    {
        var own = (await NamedAsync(name, cancellationToken)).Where(n => engine.IsOwn(n.Labels)).OrderBy(n => n.Created).ThenBy(n => n.ID, StringComparer.Ordinal).ToList();
        foreach (var extra in own.Skip(1))
        {
            try
            {
                await engine.CallAsync((client, token) => client.Networks.DeleteNetworkAsync(extra.ID, token), cancellationToken);
                logger.LogInformation("Removed duplicate network {Network} ({NetworkId})", name, extra.ID);
            }
            catch (RuntimeOperationException ex)
            {
                logger.LogWarning("Could not remove duplicate network {Network} ({NetworkId}): {Error}", name, extra.ID, ex.Message);
            }
        }
    }
}
