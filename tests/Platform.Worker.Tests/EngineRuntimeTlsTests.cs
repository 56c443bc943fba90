using Docker.DotNet.Models;
using Platform.Runtime;

namespace Platform.Worker.Tests;

/// <summary>
/// The engine backend against a Docker engine behind TLS client certificates (as a remote engine is reached): the
/// whole life of a workload, with the certificates from a folder and as PEM text; a client of another CA is refused,
/// and so is an engine that the configured CA did not sign.
/// </summary>
[Collection(TlsDockerCollection.Name)]
public sealed class EngineRuntimeTlsTests(TlsDockerEngineFixture engine)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_workload_is_created_frozen_woken_stopped_recreated_and_removed_over_TLS(bool asPemText)
    {
        engine.Require();
        var scope = "tls-" + Guid.NewGuid().ToString("N")[..8];
        using var runtime = TlsDockerEngineFixture.Runtime(engine.Options(scope, asPemText: asPemText));

        var info = await runtime.DescribeAsync(Ct);
        Assert.Equal(RuntimeBackend.Engine, info.Backend);
        Assert.Equal("1.41", info.ApiVersion);
        Assert.Contains(engine.Endpoint, info.Description, StringComparison.Ordinal);

        var spec = Spec(Guid.NewGuid(), Guid.NewGuid(), "first-key");
        var id = await runtime.CreateAsync(spec, Ct);
        var inspect = await engine.Admin.Containers.InspectContainerAsync(id, Ct);
        Assert.True(inspect.State!.Running);
        Assert.Equal(RuntimeLabels.WorkloadName(spec.AgentId), inspect.Name.TrimStart('/'));
        Assert.Equal(scope, inspect.Config!.Labels![RuntimeLabels.Scope]);
        Assert.Equal(spec.AgentId.ToString(), inspect.Config.Labels[RuntimeLabels.AgentId]);
        Assert.Equal(spec.TenantId.ToString(), inspect.Config.Labels[RuntimeLabels.TenantId]);
        Assert.Equal(256L * 1024 * 1024, inspect.HostConfig!.Memory);
        Assert.Equal(250_000_000L, inspect.HostConfig.NanoCPUs);
        Assert.Contains("PLATFORM_API_KEY=first-key", inspect.Config.Env!);

        var listed = Assert.Single(await runtime.ListAsync(Ct));
        Assert.Equal((id, spec.AgentId, spec.TenantId, WorkloadState.Running), (listed.Id, listed.AgentId, listed.TenantId, listed.State));

        await runtime.FreezeAsync(id, Ct);
        await runtime.FreezeAsync(id, Ct); // idempotent
        Assert.True((await engine.Admin.Containers.InspectContainerAsync(id, Ct)).State!.Paused);
        Assert.Equal(WorkloadState.Frozen, Assert.Single(await runtime.ListAsync(Ct)).State);

        await runtime.WakeAsync(id, Ct);
        var state = (await engine.Admin.Containers.InspectContainerAsync(id, Ct)).State!;
        Assert.True(state.Running && !state.Paused);
        await runtime.WakeAsync(id, Ct); // running already: fine

        await runtime.StopAsync(id, Ct);
        await runtime.StopAsync(id, Ct);
        Assert.False((await engine.Admin.Containers.InspectContainerAsync(id, Ct)).State!.Running);
        await runtime.WakeAsync(id, Ct);
        Assert.True((await engine.Admin.Containers.InspectContainerAsync(id, Ct)).State!.Running);

        // A frozen workload stops too (unpaused first, so it gets its SIGTERM).
        await runtime.FreezeAsync(id, Ct);
        await runtime.StopAsync(id, Ct);
        Assert.Equal("exited", (await engine.Admin.Containers.InspectContainerAsync(id, Ct)).State!.Status);

        // Recreated with a new key: a new container under the same name, the old one gone.
        var recreated = await runtime.RecreateAsync(id, spec with { Environment = new Dictionary<string, string> { ["PLATFORM_API_KEY"] = "second-key" } }, Ct);
        Assert.NotEqual(id, recreated);
        Assert.Empty(await engine.Admin.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["id"] = new Dictionary<string, bool> { [id] = true } },
        }, Ct));
        inspect = await engine.Admin.Containers.InspectContainerAsync(recreated, Ct);
        Assert.True(inspect.State!.Running);
        Assert.Contains("PLATFORM_API_KEY=second-key", inspect.Config!.Env!);
        Assert.DoesNotContain("PLATFORM_API_KEY=first-key", inspect.Config.Env!);

        var lines = await ReadAllAsync(runtime.ReadLogsAsync(recreated, new LogQuery(10, null, false), Ct));
        Assert.Empty(lines); // sleep writes nothing; the call itself goes through TLS

        Assert.True(await runtime.RemoveAsync(recreated, Ct));
        Assert.False(await runtime.RemoveAsync(recreated, Ct));
        Assert.Empty(await runtime.ListAsync(Ct));
    }

    [Fact]
    public async Task A_client_certificate_of_another_CA_is_refused()
    {
        engine.Require();
        using var runtime = TlsDockerEngineFixture.Runtime(engine.Options("tls-foreign", engine.ForeignClientCertificates));
        var error = await Assert.ThrowsAsync<RuntimeUnavailableException>(() => runtime.DescribeAsync(Ct));
        Assert.Contains(engine.Endpoint, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RuntimeUnavailableException>(() => runtime.ListAsync(Ct));
    }

    [Fact]
    public async Task An_engine_that_the_configured_CA_did_not_sign_is_refused()
    {
        engine.Require();
        using var runtime = TlsDockerEngineFixture.Runtime(engine.Options("tls-foreign-ca", engine.ForeignAuthorityCertificates));
        await Assert.ThrowsAsync<RuntimeUnavailableException>(() => runtime.DescribeAsync(Ct));
    }

    [Fact]
    public async Task Without_TLS_the_engine_does_not_answer_and_the_settings_refuse_plain_tcp()
    {
        engine.Require();
        var plain = new RuntimeOptions { Endpoint = engine.Endpoint, Scope = "tls-plain" };
        var refused = new RuntimeOptionsValidator().Validate(null, plain);
        Assert.True(refused.Failed);
        Assert.Contains("Runtime:AllowInsecure", refused.FailureMessage, StringComparison.Ordinal);

        plain.AllowInsecure = true;
        Assert.True(new RuntimeOptionsValidator().Validate(null, plain).Succeeded);
        using var runtime = TlsDockerEngineFixture.Runtime(plain);
        // The engine answers a plain request with 400 ("Client sent an HTTP request to an HTTPS server").
        var error = await Assert.ThrowsAnyAsync<Exception>(() => runtime.DescribeAsync(Ct));
        Assert.True(error is RuntimeUnavailableException or RuntimeOperationException, error.ToString());
    }

    internal static AgentWorkloadSpec Spec(Guid agentId, Guid tenantId, string key) =>
        new(agentId, tenantId, new Dictionary<string, string> { ["PLATFORM_AGENT_ID"] = agentId.ToString(), ["PLATFORM_API_KEY"] = key }, 0.25m, 256);

    internal static async Task<List<LogLine>> ReadAllAsync(IAsyncEnumerable<LogLine> lines)
    {
        var all = new List<LogLine>();
        await foreach (var line in lines)
        {
            all.Add(line);
        }

        return all;
    }
}
