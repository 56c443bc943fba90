using Docker.DotNet;
using Docker.DotNet.Models;

namespace Platform.Runtime.Tests;

/// <summary>Tenant overlay networks, a named network, and no network at all.</summary>
public sealed class SwarmNetworkTests(SwarmFixture swarm)
{
    [Fact(Timeout = 120_000)]
    public async Task Each_tenant_gets_an_attachable_overlay_network_that_its_agents_join()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope, o => o.NetworkPerTenant = true);
        var (tenant, other) = (Guid.NewGuid(), Guid.NewGuid());
        try
        {
            await runtime.EnsureTenantNetworkAsync(tenant, ct);
            await runtime.EnsureTenantNetworkAsync(tenant, ct);
            await runtime.EnsureTenantNetworkAsync(other, ct);
            Assert.Equal(new[] { tenant, other }.Order(), (await runtime.ListTenantNetworksAsync(ct)).Order());

            var network = Assert.Single(await NetworksAsync(RuntimeLabels.TenantNetwork(tenant), ct));
            Assert.NotNull(network.Labels);
            Assert.Equal(("overlay", "swarm", true), (network.Driver, network.Scope, network.Attachable));
            Assert.Equal(scope, network.Labels[RuntimeLabels.Scope]);
            Assert.Equal(tenant.ToString(), network.Labels[RuntimeLabels.TenantId]);

            // Creating an agent of a tenant without a network yet creates it too.
            var third = Guid.NewGuid();
            var id = await runtime.CreateAsync(SwarmFixture.Spec(third, "networked"), ct);
            Assert.Contains(third, await runtime.ListTenantNetworksAsync(ct));
            var service = await swarm.Client.Swarm.InspectServiceAsync(id, ct);
            var thirdNetwork = Assert.Single(await NetworksAsync(RuntimeLabels.TenantNetwork(third), ct));
            Assert.Equal(thirdNetwork.ID, Assert.Single(service.Spec!.TaskTemplate!.Networks!).Target); // the manager keeps the id
            var container = await swarm.Client.Containers.InspectContainerAsync(await swarm.TaskContainerAsync(id, ct), ct);
            Assert.Contains(RuntimeLabels.TenantNetwork(third), container.NetworkSettings!.Networks!.Keys);

            Assert.True(await runtime.RemoveTenantNetworkAsync(tenant, ct));
            Assert.False(await runtime.RemoveTenantNetworkAsync(tenant, ct));
            Assert.Empty(await NetworksAsync(RuntimeLabels.TenantNetwork(tenant), ct));
            Assert.DoesNotContain(tenant, await runtime.ListTenantNetworksAsync(ct));

            // A network in use by an agent stays until its agent is gone.
            var inUse = await Assert.ThrowsAsync<RuntimeOperationException>(() => runtime.RemoveTenantNetworkAsync(third, ct));
            Assert.Equal(RuntimeErrorKind.Conflict, inUse.Kind);
            await runtime.RemoveAsync(id, ct);
            await SwarmFixture.WaitForAsync(async () =>
            {
                try
                {
                    return await runtime.RemoveTenantNetworkAsync(third, ct);
                }
                catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.Conflict)
                {
                    return false;
                }
            }, "the network of a removed agent removed", ct);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_named_network_is_joined_and_none_means_no_network_attachment()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        var shared = $"{scope}-shared";
        await swarm.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = shared,
            Driver = "overlay",
            Labels = new Dictionary<string, string> { [RuntimeLabels.Scope] = scope },
        }, ct);
        using var named = swarm.Runtime(scope, o => o.NetworkMode = shared);
        using var none = swarm.Runtime(scope, o => o.NetworkMode = "none");
        try
        {
            var joined = await named.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "named"), ct);
            var container = await swarm.Client.Containers.InspectContainerAsync(await swarm.TaskContainerAsync(joined, ct), ct);
            Assert.Equal([shared], container.NetworkSettings!.Networks!.Keys);

            var alone = await none.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "alone"), ct);
            Assert.Null((await swarm.Client.Swarm.InspectServiceAsync(alone, ct)).Spec!.TaskTemplate!.Networks);
            var isolated = await swarm.Client.Containers.InspectContainerAsync(await swarm.TaskContainerAsync(alone, ct), ct);
            Assert.Equal("default", isolated.HostConfig!.NetworkMode); // the node's default network: here an engine without a bridge

            // What the manager says to a service on "none", which is why none means no attachment.
            var refused = await Assert.ThrowsAnyAsync<DockerApiException>(() => swarm.Client.Swarm.CreateServiceAsync(new ServiceCreateParameters
            {
                Service = new ServiceSpec
                {
                    Name = $"{scope}-on-none",
                    Labels = new Dictionary<string, string> { [RuntimeLabels.Scope] = scope },
                    TaskTemplate = new TaskSpec
                    {
                        ContainerSpec = new ContainerSpec { Image = SwarmFixture.Image },
                        Networks = [new NetworkAttachmentConfig { Target = "none" }],
                    },
                },
            }, ct));
            Assert.Contains("network none not found", refused.ResponseBody, StringComparison.Ordinal);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    private async Task<IList<NetworkResponse>> NetworksAsync(string name, CancellationToken ct) =>
        [.. (await swarm.Client.Networks.ListNetworksAsync(new NetworksListParameters(), ct)).Where(n => n.Name == name)];
}
