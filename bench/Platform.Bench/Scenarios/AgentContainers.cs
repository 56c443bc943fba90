using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Runtime;

namespace Platform.Bench;

/// <summary>Agents (in a scenario's own database) with running containers on the engine, as the provisioner leaves them, and their removal.</summary>
internal static class AgentContainers
{
    private const int Tenants = 10;

    /// <summary>
    /// <paramref name="count"/> active agents of 10 new tenants, each with a running container of the quiet image labelled
    /// like the provisioner's (agent, tenant, scope; network none, 64 MB, no health check; 8 at a time) and its id in
    /// agents.container_id; returns the container ids.
    /// </summary>
    public static async Task<IReadOnlyCollection<string>> AddAsync(PlatformDatabase database, IDockerClient client, string scope, int count, CancellationToken ct)
    {
        await using var db = database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agents = new List<Agent>();
        for (var t = 0; t < Tenants; t++)
        {
            var tenant = new Tenant
            {
                CompanyName = $"Runtime tenant {Guid.NewGuid():N}",
                AdminEmail = $"runtime-admin-{Guid.NewGuid():N}@bench.test",
                Status = TenantStatus.Active,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Tenants.Add(tenant);
            agents.AddRange(Enumerable.Range(1, count / Tenants).Select(a => new Agent
            {
                TenantId = tenant.Id,
                Name = $"runtime-agent-{a}",
                Role = AgentRole.Engineering,
                Status = AgentStatus.Active,
                CreatedAt = now,
                UpdatedAt = now,
            }));
        }

        db.Agents.AddRange(agents);
        await db.SaveChangesAsync(ct);

        var created = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (agent, token) =>
        {
            var response = await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = RuntimeLabels.WorkloadName(agent.Id),
                Image = AgentImages.Quiet,
                Labels = new Dictionary<string, string>
                {
                    [RuntimeLabels.AgentId] = agent.Id.ToString(),
                    [RuntimeLabels.TenantId] = agent.TenantId.ToString(),
                    [RuntimeLabels.Scope] = scope,
                },
                HostConfig = new HostConfig { NetworkMode = "none", Memory = 64 * 1024 * 1024, MemorySwap = 64 * 1024 * 1024 },
            }, token);
            await client.Containers.StartContainerAsync(response.ID, new ContainerStartParameters(), token);
            agent.ContainerId = response.ID;
            created.Add(response.ID);
        });
        await db.SaveChangesAsync(ct);
        return created;
    }

    /// <summary>Force-removes every container of the scope; never throws.</summary>
    public static async Task RemoveAsync(IDockerClient client, string scope)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var listed = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{RuntimeLabels.Scope}={scope}"] = true },
                },
            }, timeout.Token);
            await Parallel.ForEachAsync(listed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = timeout.Token }, async (container, token) =>
                await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, token));
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"removing the containers of {scope} failed: {ex.Message}");
        }
    }
}
