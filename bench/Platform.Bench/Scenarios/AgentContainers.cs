using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Runtime;

namespace Platform.Bench;

/// <summary>Agents (in a scenario's own database) with running containers on the engine, as the provisioner leaves them, and their removal.</summary>
internal static class AgentContainers
{
    /// <summary>
    /// <paramref name="count"/> active agents of 10 new tenants, each with a running container of the quiet image labelled
    /// like the provisioner's (agent, tenant, scope; network none, 64 MB, no health check; 8 at a time) and its id in
    /// agents.container_id; returns the container ids.
    /// </summary>
    public static async Task<IReadOnlyCollection<string>> AddAsync(PlatformDatabase database, IDockerClient client, string scope, int count, CancellationToken ct)
    {
        var batch = Guid.NewGuid().ToString("N")[..8];
        var cs = database.OwnerConnectionString;
        await Sql.ExecuteAsync(cs, $$"""
            {{Seeder.TenantsSql("Runtime " + batch, 10)}};
            INSERT INTO agents (id, tenant_id, name, description, role, status, model_tier, thinking_mode, tool_policy, provision_attempts, created_at, updated_at, last_active_at)
            SELECT uuid_v7(), t.id, 'runtime-agent-' || a, NULL, 'engineering', 'active', 'sonnet', 'off', '{"allowed":[],"denied":[],"approval_rules":[]}', 0, now(), now(), now()
            FROM tenants t, generate_series(1, {{count / 10}}) AS a WHERE t.company_name LIKE 'Runtime {{batch}} %'
            """);
        var where = $"FROM agents WHERE tenant_id IN (SELECT id FROM tenants WHERE company_name LIKE 'Runtime {batch} %')";
        var (ids, tenants) = (await Sql.ScalarAsync<Guid[]>(cs, $"SELECT array_agg(id ORDER BY id) {where}"), await Sql.ScalarAsync<Guid[]>(cs, $"SELECT array_agg(tenant_id ORDER BY id) {where}"));
        var agents = ids.Zip(tenants, (id, tenant) => (Id: id, TenantId: tenant));
        var created = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (agent, token) =>
        {
            var response = await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = RuntimeLabels.WorkloadName(agent.Id),
                Image = DockerEngines.AgentImage,
                Labels = new Dictionary<string, string>
                {
                    [RuntimeLabels.AgentId] = agent.Id.ToString(),
                    [RuntimeLabels.TenantId] = agent.TenantId.ToString(),
                    [RuntimeLabels.Scope] = scope,
                },
                HostConfig = new HostConfig { NetworkMode = "none", Memory = 64 * 1024 * 1024, MemorySwap = 64 * 1024 * 1024 },
            }, token);
            await client.Containers.StartContainerAsync(response.ID, new ContainerStartParameters(), token);
            await Sql.ExecuteAsync(cs, "UPDATE agents SET container_id = @c WHERE id = @a", new Dictionary<string, object> { ["c"] = response.ID, ["a"] = agent.Id });
            created.Add(response.ID);
        });
        return created;
    }

    /// <summary>Force-removes every container of the scope; never throws.</summary>
    public static async Task RemoveAsync(string host, string scope)
    {
        try
        {
            using var client = new DockerClientBuilder().WithEndpoint(new Uri(host)).WithTimeout(TimeSpan.FromSeconds(60)).Build();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RuntimeLabels.Scope}={scope}"] = true } };
            var listed = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, timeout.Token);
            await Parallel.ForEachAsync(listed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = timeout.Token }, async (container, token) =>
                await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, token));
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"removing the containers of {scope} failed: {ex.Message}");
        }
    }
}
