using Docker.DotNet.Models;
using Platform.Runtime;

namespace Platform.Worker.Tests;

/// <summary>Observations through the engine backend: CPU % between consecutive samples, memory and limit, states.</summary>
[Collection(DockerCollection.Name)]
public sealed class EngineObserveTests(DockerEngineFixture engine)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_busy_workload_shows_CPU_from_its_second_observation_and_memory_under_its_limit()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            var runtime = engine.Runtime(engine.Options(scope));
            var (agentId, tenantId) = (Guid.NewGuid(), Guid.NewGuid());
            var created = await engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = DockerEngineFixture.Image,
                Cmd = ["/bin/sh", "-c", "while :; do :; done"],
                Labels = new Dictionary<string, string>
                {
                    [RuntimeLabels.AgentId] = agentId.ToString(),
                    [RuntimeLabels.TenantId] = tenantId.ToString(),
                    [RuntimeLabels.Scope] = scope,
                },
                HostConfig = new HostConfig { NetworkMode = "none", Memory = 32 * 1024 * 1024, NanoCPUs = 500_000_000 },
            }, Ct);
            await engine.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), Ct);

            var workload = Assert.Single(await runtime.ListAsync(Ct));
            Assert.Equal((created.ID, agentId, tenantId, WorkloadState.Running), (workload.Id, workload.AgentId, workload.TenantId, workload.State));

            var first = Assert.Single(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, Ct));
            Assert.Equal(0, first.CpuPercent); // nothing to compare with yet
            await Task.Delay(1500, Ct);
            var second = Assert.Single(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, Ct));
            TestContext.Current.TestOutputHelper?.WriteLine($"busy loop limited to half a CPU: {second.CpuPercent:0.0} % CPU, {second.MemoryMb:0.00} MB of {second.MemoryLimitMb} MB");
            Assert.InRange(second.CpuPercent, 5, 75);
            Assert.Equal(32, second.MemoryLimitMb);
            Assert.InRange(second.MemoryMb, 0.01, 32);
            Assert.Equal((WorkloadState.Running, (string?)null, 0), (second.State, second.Health, second.RestartCount));

            await runtime.FreezeAsync(created.ID, Ct);
            Assert.Equal(WorkloadState.Frozen, Assert.Single(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, Ct)).State);
            await engine.Client.Containers.KillContainerAsync(created.ID, new ContainerKillParameters { Signal = "KILL" }, Ct);
            await engine.WaitForStateAsync(created.ID, "exited", Ct);
            var exited = Assert.Single(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, Ct));
            Assert.Equal((WorkloadState.Exited, 137L, 0.0), (exited.State, exited.ExitCode, exited.CpuPercent));

            await runtime.RemoveAsync(created.ID, Ct);
            Assert.Empty(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, Ct)); // vanished since it was listed
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }
}
