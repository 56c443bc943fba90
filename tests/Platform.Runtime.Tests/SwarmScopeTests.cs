using Platform.Tests.Support;

namespace Platform.Runtime.Tests;

/// <summary>A runtime touches only its own scope, describes its manager, and says when there is none.</summary>
public sealed class SwarmScopeTests(SwarmFixture swarm)
{
    [Fact(Timeout = 120_000)]
    public async Task Nothing_outside_the_scope_is_touched()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var (scope, foreignScope) = (swarm.NewScope(), swarm.NewScope());
        using var runtime = swarm.Runtime(scope, o => o.NetworkPerTenant = true);
        using var foreign = swarm.Runtime(foreignScope, o => o.NetworkPerTenant = true);
        var tenant = Guid.NewGuid();
        try
        {
            var foreignSpec = SwarmFixture.Spec(Guid.NewGuid(), "foreign");
            var foreignId = await foreign.CreateAsync(foreignSpec, ct);
            await foreign.EnsureTenantNetworkAsync(tenant, ct);
            var foreignContainer = await swarm.TaskContainerAsync(foreignId, ct);

            Assert.Empty(await runtime.ListAsync(ct));
            Assert.Empty(await runtime.ListTenantNetworksAsync(ct));
            Assert.Empty(await runtime.ObserveAsync(await foreign.ListAsync(ct), DateTimeOffset.UtcNow, ct));
            foreach (var call in new Func<Task>[]
            {
                () => runtime.StopAsync(foreignId, ct),
                () => runtime.FreezeAsync(foreignId, ct),
                () => runtime.WakeAsync(foreignId, ct),
                () => runtime.ReadLogsAsync(foreignId, new LogQuery(10, null, false), ct).GetAsyncEnumerator(ct).MoveNextAsync().AsTask(),
            })
            {
                Assert.Equal(RuntimeErrorKind.NotFound, (await Assert.ThrowsAsync<RuntimeOperationException>(call)).Kind);
            }

            Assert.False(await runtime.RemoveAsync(foreignId, ct));
            Assert.False(await runtime.RemoveTenantNetworkAsync(tenant, ct));

            // The same agent in this scope cannot take the foreign service's name, and does not remove it to get it.
            var sameAgent = await Assert.ThrowsAsync<RuntimeOperationException>(() => runtime.CreateAsync(foreignSpec, ct));
            Assert.Equal(RuntimeErrorKind.Conflict, sameAgent.Kind);

            // A recreate of a service that is not in this scope creates the agent's own (which meets the same name).
            await Assert.ThrowsAsync<RuntimeOperationException>(() => runtime.RecreateAsync(foreignId, foreignSpec, ct));

            var survivor = Assert.Single(await foreign.ListAsync(ct));
            Assert.Equal((foreignId, WorkloadState.Running), (survivor.Id, survivor.State));
            Assert.Equal(foreignContainer, await swarm.TaskContainerAsync(foreignId, ct));
            Assert.Equal(new[] { tenant, foreignSpec.TenantId }.Order(), (await foreign.ListTenantNetworksAsync(ct)).Order());
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
            await swarm.RemoveScopeAsync(foreignScope);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Describe_reports_a_swarm_manager()
    {
        swarm.Require();
        using var runtime = swarm.Runtime(swarm.NewScope());
        var info = await runtime.DescribeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(RuntimeBackend.Swarm, info.Backend);
        Assert.StartsWith("20.10", info.Version, StringComparison.Ordinal);
        Assert.Equal("1.41", info.ApiVersion);
        Assert.Contains("Docker Swarm manager", info.Description, StringComparison.Ordinal);
        Assert.Contains("1 nodes", info.Description, StringComparison.Ordinal);
        Assert.Equal(swarm.Endpoint, runtime.Endpoint);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unreachable_manager_is_unavailable()
    {
        var ct = TestContext.Current.CancellationToken;
        var socket = Path.Combine(Path.GetTempPath(), $"no-manager-{Guid.NewGuid():N}.sock");
        using var missing = new Swarm.SwarmRuntime(new RuntimeOptions { Backend = "swarm", Endpoint = $"unix://{socket}" },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Swarm.SwarmRuntime>.Instance);
        await Assert.ThrowsAsync<RuntimeUnavailableException>(() => missing.DescribeAsync(ct));
        await Assert.ThrowsAsync<RuntimeUnavailableException>(() => missing.ListAsync(ct));
        await Assert.ThrowsAsync<RuntimeUnavailableException>(() => missing.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "nowhere"), ct));
        await Assert.ThrowsAsync<RuntimeUnavailableException>(() => missing.EnsureTenantNetworkAsync(Guid.NewGuid(), ct));

        var port = PrivateDockerEngine.FreeSwarmPort(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        using var closed = new Swarm.SwarmRuntime(new RuntimeOptions { Backend = "swarm", Endpoint = $"tcp://127.0.0.1:{port}", AllowInsecure = true },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Swarm.SwarmRuntime>.Instance);
        var error = await Assert.ThrowsAsync<RuntimeUnavailableException>(() => closed.DescribeAsync(ct));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_engine_that_is_not_a_swarm_manager_is_unavailable()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var plain = await PrivateDockerEngine.StartAsync();
        using var engine = swarm.Runtime(swarm.NewScope(), o => o.Endpoint = plain.Endpoint);
        var error = await Assert.ThrowsAsync<RuntimeUnavailableException>(() => engine.DescribeAsync(ct));
        Assert.Contains("not a swarm manager", error.Message, StringComparison.Ordinal);
        Assert.Contains("swarm inactive", error.Message, StringComparison.Ordinal);
        var listed = await Assert.ThrowsAsync<RuntimeUnavailableException>(() => engine.ListAsync(ct));
        Assert.Contains("not a swarm manager", listed.Message, StringComparison.Ordinal);
    }
}
