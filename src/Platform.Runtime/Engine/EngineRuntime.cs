using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Platform.Runtime.Engine;

/// <summary>
/// Agents on one Docker engine (the local socket, or <c>tcp://host:2376</c> behind TLS client certificates): one
/// container per agent, named <see cref="RuntimeLabels.WorkloadName"/> and labelled with its agent, tenant and this
/// scope. Freezing pauses the container, stopping stops it, waking unpauses or starts it. A container or network
/// without this scope's label is never touched: to every method it does not exist.
/// </summary>
public sealed class EngineRuntime : IAgentRuntime, IDisposable
{
    private static readonly TimeSpan WakePoll = TimeSpan.FromMilliseconds(100);
    private readonly EngineConnection _engine;
    private readonly EngineObserver _observer;
    private readonly EngineNetworks _networks;
    private readonly ILogger _logger;

    public EngineRuntime(RuntimeOptions options, ILogger<EngineRuntime> logger)
    {
        _logger = logger;
        _engine = new EngineConnection(options, logger);
        _observer = new EngineObserver(_engine, logger);
        _networks = new EngineNetworks(_engine, logger);
    }

    public RuntimeBackend Backend => RuntimeBackend.Engine;

    public string Endpoint => _engine.Endpoint;

    public bool CanFreeze => true;

    private RuntimeOptions Options => _engine.Options;

    public async Task<RuntimeInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        var version = await _engine.CallAsync((client, token) => client.System.GetVersionAsync(token), cancellationToken);
        return new RuntimeInfo(RuntimeBackend.Engine, version.Version, version.APIVersion, $"Docker engine {version.Version} (API {version.APIVersion}) at {Endpoint}");
    }

    public async Task<string> CreateAsync(AgentWorkloadSpec spec, CancellationToken cancellationToken)
    {
        // A leftover of an earlier attempt that never committed goes first (its key was rolled back).
        var name = RuntimeLabels.WorkloadName(spec.AgentId);
        if (await _engine.TryInspectOwnAsync(name, cancellationToken) is { } leftover)
        {
            await ForceRemoveAsync(leftover.ID, cancellationToken);
        }

        if (Options.NetworkPerTenant)
        {
            await _networks.EnsureAsync(spec.TenantId, cancellationToken);
        }

        var created = await _engine.CallAsync(
            (client, token) => client.Containers.CreateContainerAsync(EngineContainers.Parameters(spec, Options), token), cancellationToken);
        try
        {
            await _engine.CallAsync((client, token) => client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), token), cancellationToken);
        }
        catch
        {
            await RemoveQuietlyAsync(created.ID);
            throw;
        }

        return created.ID;
    }

    public async Task<string> RecreateAsync(string workloadId, AgentWorkloadSpec spec, CancellationToken cancellationToken)
    {
        if (await _engine.TryInspectOwnAsync(workloadId, cancellationToken) is { } old)
        {
            if (!EngineContainers.TryLabel(old.Config?.Labels, RuntimeLabels.AgentId, out var agentId) || agentId != spec.AgentId)
            {
                throw new RuntimeOperationException(RuntimeErrorKind.Invalid, $"Workload {workloadId} is not the workload of agent {spec.AgentId}.");
            }

            await ForceRemoveAsync(old.ID, cancellationToken);
        }

        return await CreateAsync(spec, cancellationToken);
    }

    public async Task<IReadOnlyList<AgentWorkload>> ListAsync(CancellationToken cancellationToken)
    {
        var containers = await _engine.CallAsync((client, token) => client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = EngineContainers.AgentFilter(Options.Scope) }, token), cancellationToken);
        var workloads = new List<AgentWorkload>(containers.Count);
        foreach (var container in containers.Where(c => _engine.IsOwn(c.Labels)))
        {
            if (EngineContainers.TryLabel(container.Labels, RuntimeLabels.AgentId, out var agentId)
                && EngineContainers.TryLabel(container.Labels, RuntimeLabels.TenantId, out var tenantId))
            {
                workloads.Add(new AgentWorkload(container.ID, agentId, tenantId, EngineContainers.State(container.State), EngineContainers.ToUtc(container.Created)));
            }
            else
            {
                _logger.LogDebug("Container {ContainerId} has no valid agent/tenant labels; skipped", container.ID);
            }
        }

        return workloads;
    }

    public Task<IReadOnlyList<WorkloadObservation>> ObserveAsync(
        IReadOnlyCollection<AgentWorkload> workloads, DateTimeOffset now, CancellationToken cancellationToken) =>
        _observer.ObserveAsync(workloads, now, cancellationToken);

    /// <summary>Pauses a running container. One that does not run holds no CPU already and is left as it is.</summary>
    public async Task FreezeAsync(string workloadId, CancellationToken cancellationToken)
    {
        var container = await _engine.InspectOwnAsync(workloadId, cancellationToken);
        if (container.State is { Running: true, Paused: false, Restarting: false })
        {
            await _engine.CallAsync((client, token) => client.Containers.PauseContainerAsync(container.ID, token), cancellationToken);
        }
    }

    /// <summary>
    /// Stops the container with <c>Runtime:StopGracePeriodSeconds</c> between SIGTERM and SIGKILL. A paused one is
    /// unpaused first, so the agent gets its SIGTERM rather than only the SIGKILL at the end of the grace period.
    /// </summary>
    public async Task StopAsync(string workloadId, CancellationToken cancellationToken)
    {
        var container = await _engine.InspectOwnAsync(workloadId, cancellationToken);
        if (container.State is not { Running: true })
        {
            return;
        }

        if (container.State.Paused)
        {
            await _engine.CallAsync((client, token) => client.Containers.UnpauseContainerAsync(container.ID, token), cancellationToken);
        }

        var grace = Options.StopGracePeriodSeconds;
        await _engine.CallAsync(
            (client, token) => client.Containers.StopContainerAsync(container.ID, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)grace }, token),
            cancellationToken,
            TimeSpan.FromSeconds(grace) + _engine.RequestTimeout);
    }

    public async Task WakeAsync(string workloadId, CancellationToken cancellationToken)
    {
        var container = await _engine.InspectOwnAsync(workloadId, cancellationToken);
        if (container.State is { Paused: true })
        {
            await _engine.CallAsync((client, token) => client.Containers.UnpauseContainerAsync(container.ID, token), cancellationToken);
        }
        else if (container.State is not { Running: true } and not { Restarting: true })
        {
            await _engine.CallAsync((client, token) => client.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), token), cancellationToken);
        }

        await WaitUntilRunningAsync(container.ID, cancellationToken);
    }

    public async Task<bool> RemoveAsync(string workloadId, CancellationToken cancellationToken) =>
        await _engine.TryInspectOwnAsync(workloadId, cancellationToken) is { } container && await ForceRemoveAsync(container.ID, cancellationToken);

    public IAsyncEnumerable<LogLine> ReadLogsAsync(string workloadId, LogQuery query, CancellationToken cancellationToken) =>
        EngineLogReader.ReadAsync(_engine, workloadId, query, cancellationToken);

    public Task EnsureTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken) => _networks.EnsureAsync(tenantId, cancellationToken);

    public Task<IReadOnlyList<Guid>> ListTenantNetworksAsync(CancellationToken cancellationToken) => _networks.ListTenantsAsync(cancellationToken);

    public Task<bool> RemoveTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken) => _networks.RemoveAsync(tenantId, cancellationToken);

    public void Dispose() => _engine.Dispose();

    /// <summary>Until the engine reports the container running (a restart policy may be bringing it back); fails when it exits.</summary>
    private async Task WaitUntilRunningAsync(string id, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _engine.RequestTimeout;
        while (true)
        {
            var state = (await _engine.InspectOwnAsync(id, cancellationToken)).State;
            if (state is { Running: true, Paused: false, Restarting: false })
            {
                return;
            }

            if (state is { Running: false, Restarting: false } && state.Status is "exited" or "dead")
            {
                throw new RuntimeOperationException(RuntimeErrorKind.Other, $"Workload {id} exited with code {state.ExitCode} while waking{(state.Error is { Length: > 0 } error ? ": " + error : "")}.");
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new RuntimeUnavailableException($"Workload {id} at {Endpoint} was not running within {_engine.RequestTimeout.TotalSeconds:F0} s of being woken (it is {state?.Status}).");
            }

            await Task.Delay(WakePoll, cancellationToken);
        }
    }

    /// <summary>Force-removes a container (of this scope: the caller looked); false when it was gone already.</summary>
    private async Task<bool> ForceRemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _engine.CallAsync(
                (client, token) => client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, token), cancellationToken);
            return true;
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>Best-effort clean-up after a failed create: never throws, and ignores the caller's cancellation.</summary>
    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            await ForceRemoveAsync(id, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not remove container {ContainerId} after a failed start", id);
        }
    }
}
