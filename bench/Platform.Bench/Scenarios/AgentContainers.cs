using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Tests.Support;
using Platform.Runtime;

namespace Platform.Bench.Scenarios;

/// <summary>Agents (in a scenario's own database) with running containers on the engine, as the provisioner leaves them, and their removal.</summary>
internal static class AgentContainers
{
    private const int Tenants = 10;

    /// <summary>10 new active tenants sharing <paramref name="count"/> active agents, as the owner.</summary>
    public static async Task<List<(Guid TenantId, Guid AgentId)>> InsertAgentsAsync(PlatformDatabase database, int count, CancellationToken ct)
    {
        await using var db = database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agents = new List<(Guid, Guid)>();
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
            for (var a = 0; a < count / Tenants; a++)
            {
                var agent = new Agent
                {
                    TenantId = tenant.Id,
                    Name = $"runtime-agent-{t + 1}-{a + 1}",
                    Role = AgentRole.Engineering,
                    Status = AgentStatus.Active,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.Agents.Add(agent);
                agents.Add((tenant.Id, agent.Id));
            }
        }

        await db.SaveChangesAsync(ct);
        return agents;
    }

    /// <summary>The quiet image, labelled like the provisioner's (agent, tenant, scope), network none, 64 MB, no health check; 8 at a time.</summary>
    public static Task CreateContainersAsync(
        IDockerClient client, string scope, List<(Guid TenantId, Guid AgentId)> agents, Dictionary<Guid, string> created, CancellationToken ct) =>
        Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (agent, token) =>
        {
            var response = await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = RuntimeLabels.WorkloadName(agent.AgentId),
                Image = AgentImages.Quiet,
                Labels = new Dictionary<string, string>
                {
                    [RuntimeLabels.AgentId] = agent.AgentId.ToString(),
                    [RuntimeLabels.TenantId] = agent.TenantId.ToString(),
                    [RuntimeLabels.Scope] = scope,
                },
                HostConfig = new HostConfig { NetworkMode = "none", Memory = 64 * 1024 * 1024, MemorySwap = 64 * 1024 * 1024 },
            }, token);
            lock (created)
            {
                created[agent.AgentId] = response.ID;
            }

            await client.Containers.StartContainerAsync(response.ID, new ContainerStartParameters(), token);
        });

    /// <summary>agents.container_id, as the provisioner leaves it.</summary>
    public static async Task RecordContainerIdsAsync(PlatformDatabase database, Dictionary<Guid, string> created, CancellationToken ct)
    {
        await using var db = database.CreateOwnerContext();
        var ids = created.Keys.ToArray();
        foreach (var agent in await db.Agents.Where(a => ids.Contains(a.Id)).ToListAsync(ct))
        {
            agent.ContainerId = created[agent.Id];
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>Force-removes every container of the scope (and any created one the listing missed); never throws.</summary>
    public static async Task RemoveContainersAsync(IDockerClient client, string scope, string[] created)
    {
        var watch = Stopwatch.StartNew();
        var ids = new HashSet<string>(created, StringComparer.Ordinal);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var listed = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{RuntimeLabels.Scope}={scope}"] = true },
                },
            }, timeout.Token);
            ids.UnionWith(listed.Select(c => c.ID));
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"listing the containers of {scope} failed: {ex.Message}");
        }

        var failed = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token);
            }
            catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref failed);
                Console.Error.WriteLine($"removing container {id} failed: {ex.Message}");
            }
        });
        Console.WriteLine($"removed {ids.Count - failed} containers in {watch.Elapsed.TotalSeconds:0.0} s" + (failed > 0 ? $", {failed} failed" : ""));
    }
}
