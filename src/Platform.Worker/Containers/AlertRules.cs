using Platform.Data.Entities;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>An earlier raw sample of the same container (from container_health).</summary>
public sealed record ContainerHealthSample(DateTimeOffset RecordedAt, int RestartCount, double MemoryMb, double? MemoryLimitMb);

/// <summary>An alert that should be open now.</summary>
public sealed record DesiredAlert(string Kind, AlertSeverity Severity, string Title, string Message, string Fingerprint);

public sealed record AlertThresholds
{
    public static readonly AlertThresholds Default = new();

    /// <summary>restart_loop: at least this many restarts within <see cref="RestartLoopWindow"/>.</summary>
    public int RestartLoopCount { get; init; } = 3;

    public TimeSpan RestartLoopWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>memory_pressure: usage above this share of the limit ...</summary>
    public double MemoryPressureRatio { get; init; } = 0.9;

    /// <summary>... in this many consecutive samples (the current one included).</summary>
    public int MemoryPressureSamples { get; init; } = 3;
}

/// <summary>
/// Pure rules: from one observation of an agent's workload (<see cref="WorkloadObservation"/>, the runtime's) and its
/// recent samples, which alerts should be open. Everything the poller opens for a workload has the fingerprint
/// <c>{kind}:{workloadId}</c>. A hibernating agent's frozen or stopped workload is what the platform asked for: it
/// raises nothing.
/// </summary>
public static class AlertRules
{
    public const string ContainerUnhealthy = "container_unhealthy";
    public const string ContainerExited = "container_exited";
    public const string RestartLoop = "restart_loop";
    public const string MemoryPressure = "memory_pressure";
    public const string DockerUnreachable = "docker_unreachable";
    public const string ContainerCreateFailed = "container_create_failed";
    public const string TenantProvisioningFailed = "tenant_provisioning_failed";

    /// <summary>
    /// Info: self-healing provisioned an agent's vanished workload again. Nothing is wrong any more, so it never turns the
    /// agent to error and nothing resolves it; it stays open until someone acknowledges that their agent was rebuilt.
    /// </summary>
    public const string WorkloadReprovisioned = "workload_reprovisioned";

    /// <summary>The kinds the poller owns per container: opened and resolved from observations only.</summary>
    public static readonly IReadOnlyList<string> ContainerKinds = [ContainerUnhealthy, ContainerExited, RestartLoop, MemoryPressure];

    public static string Fingerprint(string kind, string containerId) => $"{kind}:{containerId}";

    public static string DockerUnreachableFingerprint(string scope) => $"{DockerUnreachable}:{scope}";

    public static string ContainerCreateFailedFingerprint(Guid agentId) => $"{ContainerCreateFailed}:{agentId}";

    public static string TenantProvisioningFailedFingerprint(Guid tenantId) => $"{TenantProvisioningFailed}:{tenantId}";

    public static bool IsExited(WorkloadObservation o) => o.State is WorkloadState.Exited;

    public static bool IsUnhealthy(WorkloadObservation o) =>
        o.State is WorkloadState.Running && string.Equals(o.Health, "unhealthy", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// An idle agent with a hibernation stage whose workload holds no process: frozen, stopped, or (an engine's word
    /// for a stopped container) exited. Lenient about which stage, as the idle state machine may be between two.
    /// </summary>
    public static bool IsHibernating(WorkloadObservation o, AgentStatus status, HibernationStage? stage) =>
        status == AgentStatus.Idle && stage is not null && o.State is WorkloadState.Frozen or WorkloadState.Stopped or WorkloadState.Exited;

    public static IReadOnlyList<DesiredAlert> Evaluate(
        WorkloadObservation observation, IReadOnlyCollection<ContainerHealthSample> history, AlertThresholds? thresholds = null)
    {
        thresholds ??= AlertThresholds.Default;
        var id = observation.WorkloadId;
        var shortId = id.Length > 12 ? id[..12] : id;
        var alerts = new List<DesiredAlert>();

        if (IsUnhealthy(observation))
        {
            alerts.Add(new DesiredAlert(ContainerUnhealthy, AlertSeverity.Warning,
                $"Agent container {shortId} is unhealthy",
                $"The health check of container {id} (agent {observation.AgentId}) is failing.",
                Fingerprint(ContainerUnhealthy, id)));
        }

        if (IsExited(observation))
        {
            var oom = observation.OomKilled ? " after running out of memory" : string.Empty;
            alerts.Add(new DesiredAlert(ContainerExited, AlertSeverity.Critical,
                $"Agent container {shortId} exited",
                $"Container {id} (agent {observation.AgentId}) is {observation.State.ToString().ToLowerInvariant()} with exit code {observation.ExitCode}{oom}.",
                Fingerprint(ContainerExited, id)));
        }

        var restarts = RestartsInWindow(observation, history, thresholds);
        if (restarts >= thresholds.RestartLoopCount)
        {
            alerts.Add(new DesiredAlert(RestartLoop, AlertSeverity.Critical,
                $"Agent container {shortId} is restarting in a loop",
                $"Container {id} (agent {observation.AgentId}) restarted {restarts} times in the last {thresholds.RestartLoopWindow.TotalMinutes:0} minutes (restart count {observation.RestartCount}).",
                Fingerprint(RestartLoop, id)));
        }

        if (UnderMemoryPressure(observation, history, thresholds))
        {
            alerts.Add(new DesiredAlert(MemoryPressure, AlertSeverity.Warning,
                $"Agent container {shortId} is close to its memory limit",
                $"Container {id} (agent {observation.AgentId}) used more than {thresholds.MemoryPressureRatio:P0} of its memory limit in the last {thresholds.MemoryPressureSamples} samples ({observation.MemoryMb:0.#} of {observation.MemoryLimitMb:0.#} MB now).",
                Fingerprint(MemoryPressure, id)));
        }

        return alerts;
    }

    /// <summary>
    /// Restarts since the start of the window: the current restart count minus the count at the window's
    /// start (the last sample at or before it, else the first sample in it; 0 when the container was created
    /// inside the window; no restarts counted without any earlier information).
    /// </summary>
    public static int RestartsInWindow(WorkloadObservation observation, IReadOnlyCollection<ContainerHealthSample> history, AlertThresholds? thresholds = null)
    {
        thresholds ??= AlertThresholds.Default;
        var windowStart = observation.ObservedAt - thresholds.RestartLoopWindow;
        int baseline;
        if (observation.CreatedAt >= windowStart)
        {
            baseline = 0;
        }
        else if (history.Where(s => s.RecordedAt <= windowStart).MaxBy(s => s.RecordedAt) is { } before)
        {
            baseline = before.RestartCount;
        }
        else if (history.Where(s => s.RecordedAt > windowStart && s.RecordedAt <= observation.ObservedAt).MinBy(s => s.RecordedAt) is { } first)
        {
            baseline = first.RestartCount;
        }
        else
        {
            baseline = observation.RestartCount;
        }

        return Math.Max(0, observation.RestartCount - baseline);
    }

    /// <summary>Usage above the ratio of the limit in the current sample and the samples just before it.</summary>
    public static bool UnderMemoryPressure(WorkloadObservation observation, IReadOnlyCollection<ContainerHealthSample> history, AlertThresholds? thresholds = null)
    {
        thresholds ??= AlertThresholds.Default;
        if (!Above(observation.MemoryMb, observation.MemoryLimitMb, thresholds.MemoryPressureRatio))
        {
            return false;
        }

        var needed = thresholds.MemoryPressureSamples - 1;
        var previous = history
            .Where(s => s.RecordedAt < observation.ObservedAt)
            .OrderByDescending(s => s.RecordedAt)
            .Take(needed)
            .ToList();
        return previous.Count == needed && previous.All(s => Above(s.MemoryMb, s.MemoryLimitMb, thresholds.MemoryPressureRatio));
    }

    /// <summary>The health status stored with a sample (a hibernating workload is as it should be: healthy).</summary>
    public static HealthStatus Classify(WorkloadObservation observation, bool hasAlerts, bool hibernating = false)
    {
        if (hibernating)
        {
            return HealthStatus.Healthy;
        }

        if (IsExited(observation) || IsUnhealthy(observation) || observation.State is WorkloadState.Restarting)
        {
            return HealthStatus.Unhealthy;
        }

        if (observation.State is not WorkloadState.Running || string.Equals(observation.Health, "starting", StringComparison.OrdinalIgnoreCase) || hasAlerts)
        {
            return HealthStatus.Degraded;
        }

        return HealthStatus.Healthy;
    }

    private static bool Above(double usedMb, double? limitMb, double ratio) =>
        limitMb is > 0 && usedMb > limitMb.Value * ratio;
}
