using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Worker.Containers;

/// <summary>The outcome of one poll iteration.</summary>
public sealed record PollResult(
    bool Reachable,
    int Containers,
    int Samples,
    int AlertsOpened,
    int AlertsResolved,
    int AgentsChanged,
    TimeSpan Elapsed,
    string? Error = null,
    bool Skipped = false);

/// <summary>
/// Every <c>Docker:PollIntervalSeconds</c>: lists the agent containers of this scope, inspects each
/// (state, health, restart count) and takes a one-shot stats sample (CPU, memory) with bounded
/// parallelism, writes one raw container_health row per container in one batch, and opens/resolves
/// the container alerts (<see cref="AlertRules"/>), with the agents' status following them. An
/// unreachable engine opens one platform-wide <c>docker_unreachable</c> alert and the loop backs off
/// (doubling from the interval up to <c>Docker:MaxBackoffSeconds</c>); a failed iteration is logged
/// and never ends the loop.
/// </summary>
public sealed class DockerPoller(
    DockerConnection docker,
    DbContextOptions<PlatformDbContext> dbOptions,
    AlertStore alerts,
    ILogger<DockerPoller> logger,
    TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan MinimumPause = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, CpuReading> _cpu = new();
    private int _iterations;

    public AlertThresholds Thresholds { get; init; } = AlertThresholds.Default;

    /// <summary>Iterations the background loop has finished (successful or not).</summary>
    public int Iterations => Volatile.Read(ref _iterations);

    public PollResult? LastResult { get; private set; }

    private DockerOptions Options => docker.Options;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!Options.Enabled)
        {
            logger.LogWarning("Docker polling is disabled (Docker:Enabled=false)");
            return;
        }

        logger.LogInformation("Polling agent containers of scope {Scope} at {Endpoint} every {Interval} s",
            Options.Scope, Options.Endpoint, Options.PollIntervalSeconds);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = Options.PollInterval;
            try
            {
                var result = await PollOnceAsync(stoppingToken);
                if (result.Reachable)
                {
                    // A fixed cadence: the sweep's own time counts towards the interval (at least 1 s apart).
                    failures = 0;
                    var rest = Options.PollInterval - result.Elapsed;
                    delay = rest > MinimumPause ? rest : MinimumPause;
                }
                else
                {
                    failures++;
                    delay = Backoff(Options.PollInterval, TimeSpan.FromSeconds(Options.MaxBackoffSeconds), failures);
                    logger.LogWarning("Docker engine at {Endpoint} unreachable ({Failures} in a row); next try in {Delay} s",
                        Options.Endpoint, failures, delay.TotalSeconds);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Docker poll iteration failed");
            }
            finally
            {
                Interlocked.Increment(ref _iterations);
            }

            try
            {
                await Task.Delay(delay, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>The delay after <paramref name="failures"/> unreachable iterations in a row: interval × 2^(failures-1), capped.</summary>
    public static TimeSpan Backoff(TimeSpan interval, TimeSpan max, int failures)
    {
        if (failures <= 0)
        {
            return interval;
        }

        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * factor, max.Ticks));
        return delay < interval ? interval : delay;
    }

    /// <summary>One poll iteration (what the loop runs each interval); public so tests need no timer.</summary>
    /// <remarks>
    /// Several workers may run the poller: a session advisory lock per scope lets one of them sweep at a
    /// time, so a container gets one sample per sweep (the others skip, with <see cref="PollResult.Skipped"/>).
    /// </remarks>
    public async Task<PollResult> PollOnceAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var db = NewContext();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var lockKey = LockKey(Options.Scope);
        var locked = (await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({lockKey}) AS \"Value\"").ToListAsync(cancellationToken)).Single();
        if (!locked)
        {
            logger.LogDebug("Another worker is polling scope {Scope}; iteration skipped", Options.Scope);
            return Finish(new PollResult(true, 0, 0, 0, 0, 0, watch.Elapsed, Skipped: true));
        }

        try
        {
            return Finish(await PollLockedAsync(db, watch, cancellationToken));
        }
        finally
        {
            try
            {
                await db.Database.SqlQuery<bool>($"SELECT pg_advisory_unlock({lockKey}) AS \"Value\"").ToListAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The lock goes with the session; a broken connection is discarded by the pool.
                logger.LogWarning(ex, "Could not release the poller lock of scope {Scope}", Options.Scope);
            }
        }
    }

    private async Task<PollResult> PollLockedAsync(PlatformDbContext db, Stopwatch watch, CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> containers;
        try
        {
            containers = await docker.ListAgentContainersAsync(cancellationToken);
        }
        catch (Exception ex) when (DockerConnection.IsUnreachable(ex, cancellationToken))
        {
            var raised = await OpenUnreachableAsync(db, ex, cancellationToken);
            return new PollResult(false, 0, 0, raised ? 1 : 0, 0, 0, watch.Elapsed, ex.Message);
        }

        var resolvedAgents = new List<Guid?>();
        var unreachableResolved = await alerts.ResolveAsync(db, [AlertRules.DockerUnreachableFingerprint(Options.Scope)], cancellationToken);
        if (unreachableResolved.Count > 0)
        {
            logger.LogInformation("Docker engine at {Endpoint} answers again", Options.Endpoint);
        }

        var observations = new ConcurrentBag<ContainerObservation>();
        var now = clock.GetUtcNow();
        await Parallel.ForEachAsync(
            containers,
            new ParallelOptions { MaxDegreeOfParallelism = Options.MaxParallelism, CancellationToken = cancellationToken },
            async (container, token) =>
            {
                if (await ObserveAsync(container, now, token) is { } observation)
                {
                    observations.Add(observation);
                }
            });

        // Only containers of existing agents (of the tenant on the label) are recorded and alerted on;
        // the others are orphans, which the provisioner removes.
        var agentIds = observations.Select(o => o.AgentId).Distinct().ToArray();
        var agents = await db.Agents.AsNoTracking()
            .Where(a => agentIds.Contains(a.Id))
            .Select(a => new { a.Id, a.TenantId })
            .ToDictionaryAsync(a => a.Id, a => a.TenantId, cancellationToken);
        var known = observations
            .Where(o => agents.TryGetValue(o.AgentId, out var tenantId) && tenantId == o.TenantId)
            .OrderBy(o => o.ContainerId, StringComparer.Ordinal)
            .ToList();

        var containerIds = known.Select(o => o.ContainerId).ToArray();
        var since = now - LookBack();
        var history = (await db.ContainerHealth.AsNoTracking()
                .Where(h => h.Resolution == HealthResolution.Raw && containerIds.Contains(h.ContainerId) && h.RecordedAt >= since)
                .Select(h => new { h.ContainerId, h.RecordedAt, h.RestartCount, h.MemoryMb, h.MemoryLimitMb })
                .ToListAsync(cancellationToken))
            .ToLookup(h => h.ContainerId, h => new HealthSample(h.RecordedAt, h.RestartCount, h.MemoryMb, h.MemoryLimitMb), StringComparer.Ordinal);

        var desired = new List<(ContainerObservation Observation, DesiredAlert Alert)>();
        foreach (var observation in known)
        {
            var wanted = AlertRules.Evaluate(observation, history[observation.ContainerId].ToList(), Thresholds);
            desired.AddRange(wanted.Select(a => (observation, a)));
            db.ContainerHealth.Add(new ContainerHealth
            {
                TenantId = observation.TenantId,
                AgentId = observation.AgentId,
                ContainerId = observation.ContainerId,
                Status = AlertRules.Classify(observation, wanted.Count > 0),
                CpuPercent = Math.Round(observation.CpuPercent, 3),
                MemoryMb = Math.Round(observation.MemoryMb, 3),
                MemoryLimitMb = observation.MemoryLimitMb is { } limit ? Math.Round(limit, 3) : null,
                RestartCount = observation.RestartCount,
                SampleCount = 1,
                Resolution = HealthResolution.Raw,
                RecordedAt = now,
            });
        }

        // One batch for all samples.
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        // Alerts: open what should be open, resolve what no longer should be.
        var kinds = AlertRules.ContainerKinds.ToArray();
        var openFingerprints = (await db.Alerts.AsNoTracking()
                .Where(a => a.ResolvedAt == null && a.ContainerId != null && containerIds.Contains(a.ContainerId) && kinds.Contains(a.Kind))
                .Select(a => a.Fingerprint)
                .ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        var desiredFingerprints = desired.Select(d => d.Alert.Fingerprint).ToHashSet(StringComparer.Ordinal);

        var opened = 0;
        foreach (var (observation, alert) in desired.Where(d => !openFingerprints.Contains(d.Alert.Fingerprint)))
        {
            if (await alerts.OpenAsync(db, AlertDraft.ForContainer(observation, alert), cancellationToken))
            {
                opened++;
                logger.LogWarning("Alert {Kind} opened for container {ContainerId} of agent {AgentId}", alert.Kind, observation.ContainerId, observation.AgentId);
            }
        }

        var cleared = openFingerprints.Where(f => !desiredFingerprints.Contains(f)).ToList();
        resolvedAgents.AddRange(await alerts.ResolveAsync(db, cleared, cancellationToken));
        resolvedAgents.AddRange(await ResolveVanishedAsync(db, containers.Select(c => c.ID).ToHashSet(StringComparer.Ordinal), cancellationToken));

        var changed = await alerts.SyncAgentStatusesAsync(
            db, known.Select(o => o.AgentId).Concat(resolvedAgents.OfType<Guid>()), cancellationToken);

        // Forget CPU readings of containers that are gone.
        var current = containerIds.ToHashSet(StringComparer.Ordinal);
        foreach (var id in _cpu.Keys.Where(id => !current.Contains(id)).ToList())
        {
            _cpu.TryRemove(id, out _);
        }

        var result = new PollResult(true, containers.Count, known.Count, opened, resolvedAgents.Count + unreachableResolved.Count, changed, watch.Elapsed);
        logger.LogDebug("Docker poll: {Containers} containers, {Samples} samples, {Opened} alerts opened, {Resolved} resolved, {Changed} agents changed in {Elapsed} ms",
            result.Containers, result.Samples, result.AlertsOpened, result.AlertsResolved, result.AgentsChanged, watch.ElapsedMilliseconds);
        return result;
    }

    /// <summary>The advisory lock key of a scope's poller (stable across processes).</summary>
    public static long LockKey(string scope) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("platform.docker-poller:" + scope)), 0);

    private PollResult Finish(PollResult result)
    {
        LastResult = result;
        return result;
    }

    private PlatformDbContext NewContext() => new(dbOptions, TenantContext.ForPlatform());

    /// <summary>How far back samples are read: the restart window, or enough polls for the memory rule.</summary>
    private TimeSpan LookBack()
    {
        var forMemory = Options.PollInterval * (Thresholds.MemoryPressureSamples + 1);
        var window = Thresholds.RestartLoopWindow > forMemory ? Thresholds.RestartLoopWindow : forMemory;
        return window + Options.PollInterval * 2;
    }

    private async Task<bool> OpenUnreachableAsync(PlatformDbContext db, Exception error, CancellationToken cancellationToken)
    {
        var opened = await alerts.OpenAsync(db, new AlertDraft(
            TenantId: null,
            AgentId: null,
            ContainerId: null,
            AlertRules.DockerUnreachable,
            AlertSeverity.Critical,
            "Docker engine unreachable",
            $"The Docker engine at {Options.Endpoint} does not answer: {error.GetBaseException().Message}",
            AlertRules.DockerUnreachableFingerprint(Options.Scope)), cancellationToken);
        if (opened)
        {
            logger.LogError(error, "Docker engine at {Endpoint} is unreachable", Options.Endpoint);
        }

        return opened;
    }

    /// <summary>
    /// Open container alerts of containers that no longer exist: resolved (the condition cannot hold any
    /// more). Containers listed in this scope are skipped, and the engine is asked about the others so
    /// containers of another scope on the same engine keep their alerts.
    /// </summary>
    private async Task<IReadOnlyList<Guid?>> ResolveVanishedAsync(PlatformDbContext db, HashSet<string> listed, CancellationToken cancellationToken)
    {
        var kinds = AlertRules.ContainerKinds.ToArray();
        var candidates = (await db.Alerts.AsNoTracking()
                .Where(a => a.ResolvedAt == null && a.ContainerId != null && a.ContainerId.Length == 64 && kinds.Contains(a.Kind))
                .Select(a => new { a.Fingerprint, ContainerId = a.ContainerId! })
                .ToListAsync(cancellationToken))
            .Where(a => !listed.Contains(a.ContainerId) && a.ContainerId.All(char.IsAsciiHexDigitLower))
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var gone = new List<string>();
        foreach (var group in candidates.GroupBy(c => c.ContainerId, StringComparer.Ordinal))
        {
            if (await docker.TryInspectAsync(group.Key, cancellationToken) is null)
            {
                gone.AddRange(group.Select(c => c.Fingerprint));
            }
        }

        return await alerts.ResolveAsync(db, gone, cancellationToken);
    }

    private async Task<ContainerObservation?> ObserveAsync(ContainerListResponse container, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!TryLabel(container.Labels, ContainerLabels.AgentId, out var agentId) || !TryLabel(container.Labels, ContainerLabels.TenantId, out var tenantId))
        {
            logger.LogDebug("Container {ContainerId} has no valid agent/tenant labels; skipped", container.ID);
            return null;
        }

        var inspect = await docker.TryInspectAsync(container.ID, cancellationToken);
        if (inspect is null)
        {
            return null; // removed since the listing
        }

        var state = inspect.State;
        double cpu = 0, memoryMb = 0;
        double? limitMb = inspect.HostConfig?.Memory > 0 ? inspect.HostConfig.Memory / 1048576.0 : null;
        if (state?.Running == true)
        {
            var stats = await SampleStatsAsync(container.ID, cancellationToken);
            if (stats is not null)
            {
                cpu = CpuPercent(container.ID, stats);
                memoryMb = MemoryUsedBytes(stats.MemoryStats) / 1048576.0;
                if (limitMb is null && stats.MemoryStats is { Limit: > 0 } memory)
                {
                    limitMb = memory.Limit / 1048576.0;
                }
            }
        }

        return new ContainerObservation(
            container.ID,
            agentId,
            tenantId,
            state?.Status ?? container.State ?? "unknown",
            state?.Health?.Status is { Length: > 0 } health && health != "none" ? health : null,
            state?.ExitCode ?? 0,
            state?.OOMKilled ?? false,
            (int)Math.Min(inspect.RestartCount, int.MaxValue),
            ToUtc(inspect.Created),
            cpu,
            memoryMb,
            limitMb,
            now);
    }

    private async Task<ContainerStatsResponse?> SampleStatsAsync(string id, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Options.StatsTimeoutSeconds));
        var capture = new LastValue<ContainerStatsResponse>();
        try
        {
            await docker.Client.Containers.GetContainerStatsAsync(
                id, new ContainerStatsParameters { Stream = false, OneShot = true }, capture, timeout.Token);
            return capture.Value;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "No stats sample for container {ContainerId}", id);
            return capture.Value;
        }
    }

    /// <summary>
    /// CPU % over the time since the previous sample of the container (one-shot stats carry no
    /// pre-CPU figures), scaled to the online CPUs as <c>docker stats</c> does; 0 for the first sample.
    /// </summary>
    private double CpuPercent(string id, ContainerStatsResponse stats)
    {
        var current = stats.CPUStats;
        if (current?.CPUUsage is null)
        {
            return 0;
        }

        var reading = new CpuReading(current.CPUUsage.TotalUsage, current.SystemUsage);
        CpuReading? previous = stats.PreCPUStats is { SystemUsage: > 0, CPUUsage: not null } pre
            ? new CpuReading(pre.CPUUsage.TotalUsage, pre.SystemUsage)
            : _cpu.TryGetValue(id, out var stored) ? stored : null;
        _cpu[id] = reading;
        if (previous is null || reading.System <= previous.System || reading.Total < previous.Total)
        {
            return 0;
        }

        var cpus = current.OnlineCPUs > 0 ? current.OnlineCPUs : (uint)Math.Max(1, current.CPUUsage.PercpuUsage?.Count ?? 1);
        return (double)(reading.Total - previous.Total) / (reading.System - previous.System) * cpus * 100.0;
    }

    /// <summary>Usage without the page cache that can be reclaimed, as <c>docker stats</c> shows it.</summary>
    private static double MemoryUsedBytes(MemoryStats? memory)
    {
        if (memory is null)
        {
            return 0;
        }

        var usage = memory.Usage;
        if (memory.Stats is { } details)
        {
            if (details.TryGetValue("total_inactive_file", out var v1) && v1 < usage)
            {
                return usage - v1; // cgroup v1
            }

            if (details.TryGetValue("inactive_file", out var v2) && v2 < usage)
            {
                return usage - v2; // cgroup v2
            }
        }

        return usage;
    }

    private static DateTimeOffset ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Unspecified => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)),
        _ => new DateTimeOffset(value.ToUniversalTime()),
    };

    private static bool TryLabel(IDictionary<string, string>? labels, string key, out Guid value)
    {
        value = Guid.Empty;
        return labels is not null && labels.TryGetValue(key, out var text)
            && Guid.TryParse(text, CultureInfo.InvariantCulture, out value) && value != Guid.Empty;
    }

    private sealed record CpuReading(ulong Total, ulong System);
}

/// <summary>An <see cref="IProgress{T}"/> that keeps the last value synchronously (Progress&lt;T&gt; posts it later).</summary>
internal sealed class LastValue<T> : IProgress<T>
    where T : class
{
    private T? _value;

    public T? Value => Volatile.Read(ref _value);

    public void Report(T value) => Volatile.Write(ref _value, value);
}
