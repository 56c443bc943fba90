using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Tests.Support;
using Platform.Runtime;

namespace Platform.Bench.Scenarios;

/// <summary>P6's fixture: the agents (in its own database) and their running containers on the engine, and their removal.</summary>
internal static class P6AgentContainers
{
    public const string Image = "platform-local/agent-runtime:test";
    public const int Containers = 100;
    private const int Tenants = 10;

    /// <summary>10 active tenants with 10 active agents each, as the owner.</summary>
    public static async Task<List<(Guid TenantId, Guid AgentId)>> InsertAgentsAsync(PlatformDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agents = new List<(Guid, Guid)>();
        for (var t = 0; t < Tenants; t++)
        {
            var tenant = new Tenant
            {
                CompanyName = $"P6 tenant {t + 1}",
                AdminEmail = $"p6-admin-{t + 1}@bench.test",
                Status = TenantStatus.Active,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Tenants.Add(tenant);
            for (var a = 0; a < Containers / Tenants; a++)
            {
                var agent = new Agent
                {
                    TenantId = tenant.Id,
                    Name = $"p6-agent-{t + 1}-{a + 1}",
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

    /// <summary>Labelled like the provisioner's (agent, tenant, scope), network none, 64 MB, no health check.</summary>
    public static Task CreateContainersAsync(
        IDockerClient client, string scope, List<(Guid TenantId, Guid AgentId)> agents, Dictionary<Guid, string> created, CancellationToken ct) =>
        Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (agent, token) =>
        {
            var response = await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = RuntimeLabels.WorkloadName(agent.AgentId),
                Image = Image,
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
            Console.Error.WriteLine($"P6: listing the containers of {scope} failed: {ex.Message}");
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
                Console.Error.WriteLine($"P6: removing container {id} failed: {ex.Message}");
            }
        });
        Console.WriteLine($"P6: removed {ids.Count - failed} containers in {watch.Elapsed.TotalSeconds:0.0} s" + (failed > 0 ? $", {failed} failed" : ""));
    }
}
