using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Runtime;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>The alert rules as pure functions: no runtime, no database.</summary>
public sealed class AlertRulesTests
{
    private const string ContainerId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid AgentId = Guid.CreateVersion7();
    private static readonly Guid TenantId = Guid.CreateVersion7();

    private static WorkloadObservation Observation(
        WorkloadState state = WorkloadState.Running,
        string? health = null,
        int restarts = 0,
        TimeSpan? age = null,
        double memoryMb = 100,
        double? limitMb = 512,
        long exitCode = 0) =>
        new(ContainerId, AgentId, TenantId, state, health, exitCode, false, restarts, Now - (age ?? TimeSpan.FromHours(1)), 1.5, memoryMb, limitMb, Now);

    private static ContainerHealthSample Sample(TimeSpan ago, int restarts = 0, double memoryMb = 100, double? limitMb = 512) =>
        new(Now - ago, restarts, memoryMb, limitMb);

    private static IReadOnlyList<string> Kinds(WorkloadObservation observation, params ContainerHealthSample[] history) =>
        AlertRules.Evaluate(observation, history).Select(a => a.Kind).ToList();

    [Fact]
    public void A_healthy_running_container_needs_no_alert()
    {
        Assert.Empty(Kinds(Observation(health: "healthy")));
        Assert.Empty(Kinds(Observation(health: null)));
        Assert.Equal(HealthStatus.Healthy, AlertRules.Classify(Observation(health: "healthy"), hasAlerts: false));
    }

    [Fact]
    public void An_unhealthy_health_check_raises_container_unhealthy_with_the_container_fingerprint()
    {
        var alert = Assert.Single(AlertRules.Evaluate(Observation(health: "unhealthy"), []));
        Assert.Equal(AlertRules.ContainerUnhealthy, alert.Kind);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        Assert.Equal($"container_unhealthy:{ContainerId}", alert.Fingerprint);
        Assert.Equal(HealthStatus.Unhealthy, AlertRules.Classify(Observation(health: "unhealthy"), hasAlerts: true));
    }

    [Fact]
    public void A_starting_health_check_is_not_an_alert_but_degraded()
    {
        Assert.Empty(Kinds(Observation(health: "starting")));
        Assert.Equal(HealthStatus.Degraded, AlertRules.Classify(Observation(health: "starting"), hasAlerts: false));
    }

    [Fact]
    public void A_stopped_container_raises_container_exited()
    {
        const WorkloadState state = WorkloadState.Exited;
        var alert = Assert.Single(AlertRules.Evaluate(Observation(state: state, health: "unhealthy", exitCode: 137), []));
        Assert.Equal(AlertRules.ContainerExited, alert.Kind);
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Contains("137", alert.Message, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, AlertRules.Classify(Observation(state: state), hasAlerts: true));
    }

    [Fact]
    public void A_paused_container_is_degraded_without_an_alert()
    {
        Assert.Empty(Kinds(Observation(state: WorkloadState.Frozen)));
        Assert.Equal(HealthStatus.Degraded, AlertRules.Classify(Observation(state: WorkloadState.Frozen), hasAlerts: false));
    }

    [Theory]
    [InlineData(WorkloadState.Frozen, HibernationStage.Frozen)]
    [InlineData(WorkloadState.Exited, HibernationStage.Stopped)]
    [InlineData(WorkloadState.Stopped, HibernationStage.Stopped)]
    [InlineData(WorkloadState.Stopped, HibernationStage.Frozen)] // a swarm freezes by scaling to 0
    public void A_hibernating_agents_frozen_or_stopped_workload_is_expected(WorkloadState state, HibernationStage stage)
    {
        var observation = Observation(state: state, exitCode: 143);
        Assert.True(AlertRules.IsHibernating(observation, AgentStatus.Idle, stage));
        Assert.Equal(HealthStatus.Healthy, AlertRules.Classify(observation, hasAlerts: false, hibernating: true));
    }

    [Theory]
    [InlineData(AgentStatus.Active, HibernationStage.Stopped, WorkloadState.Exited)] // a crash, whatever the stage column says
    [InlineData(AgentStatus.Idle, null, WorkloadState.Exited)]                       // idle but not hibernating
    [InlineData(AgentStatus.Idle, HibernationStage.Frozen, WorkloadState.Running)]   // woken, or not frozen yet
    public void Anything_else_is_not_hibernation(AgentStatus status, HibernationStage? stage, WorkloadState state) =>
        Assert.False(AlertRules.IsHibernating(Observation(state: state), status, stage));

    [Theory]
    [InlineData(2, 4, false)] // 2 restarts since the window began
    [InlineData(2, 5, true)]  // 3: the threshold
    [InlineData(2, 9, true)]
    [InlineData(7, 7, false)] // many restarts, but long ago
    public void Restart_loop_counts_restarts_since_the_start_of_the_ten_minute_window(int atWindowStart, int now, bool alert)
    {
        var history = new[]
        {
            Sample(TimeSpan.FromMinutes(12), restarts: atWindowStart - 1),
            Sample(TimeSpan.FromMinutes(10.5), restarts: atWindowStart),
            Sample(TimeSpan.FromMinutes(5), restarts: atWindowStart),
        };
        Assert.Equal(now - atWindowStart, AlertRules.RestartsInWindow(Observation(restarts: now), history));
        Assert.Equal(alert, Kinds(Observation(restarts: now), history).Contains(AlertRules.RestartLoop));
    }

    [Fact]
    public void Restart_loop_uses_the_first_sample_in_the_window_when_there_is_none_before_it()
    {
        var history = new[] { Sample(TimeSpan.FromMinutes(6), restarts: 1), Sample(TimeSpan.FromMinutes(3), restarts: 2) };
        Assert.Equal(3, AlertRules.RestartsInWindow(Observation(restarts: 4), history));
        Assert.Contains(AlertRules.RestartLoop, Kinds(Observation(restarts: 4), history));
        Assert.DoesNotContain(AlertRules.RestartLoop, Kinds(Observation(restarts: 3), history));
    }

    [Fact]
    public void Restart_loop_counts_every_restart_of_a_container_created_inside_the_window()
    {
        var young = Observation(restarts: 3, age: TimeSpan.FromMinutes(4));
        Assert.Contains(AlertRules.RestartLoop, Kinds(young));
        Assert.DoesNotContain(AlertRules.RestartLoop, Kinds(young with { RestartCount = 2 }));
    }

    [Fact]
    public void Restart_loop_needs_history_for_an_old_container()
    {
        // Restart count 10 but no sample to compare with: the restarts may be days old.
        Assert.DoesNotContain(AlertRules.RestartLoop, Kinds(Observation(restarts: 10)));
    }

    [Fact]
    public void Restart_loop_respects_custom_thresholds()
    {
        var thresholds = new AlertThresholds { RestartLoopCount = 5, RestartLoopWindow = TimeSpan.FromMinutes(30) };
        var history = new[] { Sample(TimeSpan.FromMinutes(25), restarts: 0) };
        Assert.Empty(AlertRules.Evaluate(Observation(restarts: 4), history, thresholds));
        Assert.Single(AlertRules.Evaluate(Observation(restarts: 5), history, thresholds));
    }

    [Fact]
    public void Memory_pressure_needs_three_samples_in_a_row_above_ninety_percent()
    {
        var high = Observation(memoryMb: 470, limitMb: 512); // 91.8 %
        var twoHighBefore = new[] { Sample(TimeSpan.FromSeconds(30), memoryMb: 480), Sample(TimeSpan.FromSeconds(15), memoryMb: 500) };
        Assert.Contains(AlertRules.MemoryPressure, Kinds(high, twoHighBefore));

        var alert = AlertRules.Evaluate(high, twoHighBefore).Single();
        Assert.Equal($"memory_pressure:{ContainerId}", alert.Fingerprint);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
    }

    [Fact]
    public void Memory_pressure_is_not_raised_by_two_samples()
    {
        var high = Observation(memoryMb: 500, limitMb: 512);
        Assert.DoesNotContain(AlertRules.MemoryPressure, Kinds(high));
        Assert.DoesNotContain(AlertRules.MemoryPressure, Kinds(high, Sample(TimeSpan.FromSeconds(15), memoryMb: 500)));
    }

    [Fact]
    public void Memory_pressure_needs_consecutive_samples()
    {
        var high = Observation(memoryMb: 500, limitMb: 512);
        // Two high samples long before, but the one just before the current sample was low.
        var history = new[]
        {
            Sample(TimeSpan.FromSeconds(45), memoryMb: 500),
            Sample(TimeSpan.FromSeconds(30), memoryMb: 500),
            Sample(TimeSpan.FromSeconds(15), memoryMb: 200),
        };
        Assert.DoesNotContain(AlertRules.MemoryPressure, Kinds(high, history));
        // ... and clears as soon as the current sample is below the line.
        var twoHighBefore = new[] { Sample(TimeSpan.FromSeconds(30), memoryMb: 500), Sample(TimeSpan.FromSeconds(15), memoryMb: 500) };
        Assert.DoesNotContain(AlertRules.MemoryPressure, Kinds(Observation(memoryMb: 400, limitMb: 512), twoHighBefore));
    }

    [Fact]
    public void Memory_pressure_is_strictly_above_ninety_percent_and_needs_a_limit()
    {
        var atLine = new[] { Sample(TimeSpan.FromSeconds(30), memoryMb: 900, limitMb: 1000), Sample(TimeSpan.FromSeconds(15), memoryMb: 900, limitMb: 1000) };
        Assert.DoesNotContain(AlertRules.MemoryPressure, Kinds(Observation(memoryMb: 900, limitMb: 1000), atLine));

        var noLimit = new[] { Sample(TimeSpan.FromSeconds(30), memoryMb: 950, limitMb: null), Sample(TimeSpan.FromSeconds(15), memoryMb: 950, limitMb: null) };
        Assert.DoesNotContain(AlertRules.MemoryPressure, Kinds(Observation(memoryMb: 950, limitMb: null), noLimit));
    }

    [Fact]
    public void A_running_container_with_alerts_is_degraded()
    {
        Assert.Equal(HealthStatus.Degraded, AlertRules.Classify(Observation(health: "healthy"), hasAlerts: true));
        Assert.Equal(HealthStatus.Unhealthy, AlertRules.Classify(Observation(state: WorkloadState.Restarting), hasAlerts: false));
    }

    [Theory]
    [InlineData(TenantPlan.Starter, 0.5, 512)]
    [InlineData(TenantPlan.Growth, 1.0, 1024)]
    [InlineData(TenantPlan.Enterprise, 2.0, 2048)]
    public void Container_limits_follow_the_plan(TenantPlan plan, double cpu, int memoryMb)
    {
        var limits = ContainerLimits.For(plan, new ResourceLimits());
        Assert.Equal((decimal)cpu, limits.Cpu);
        Assert.Equal(memoryMb, limits.MemoryMb);
        Assert.Equal((long)(cpu * 1e9), limits.NanoCpus);
        Assert.Equal(memoryMb * 1024L * 1024L, limits.MemoryBytes);
    }

    [Fact]
    public void Resource_limits_override_each_plan_default_that_they_set()
    {
        Assert.Equal(new ContainerLimits(0.25m, 2048), ContainerLimits.For(TenantPlan.Enterprise, new ResourceLimits { Cpu = 0.25m }));
        Assert.Equal(new ContainerLimits(0.5m, 3000), ContainerLimits.For(TenantPlan.Starter, new ResourceLimits { MemoryMb = 3000 }));
    }

    [Fact]
    public void Runtime_keys_have_the_api_key_format_and_hash_and_are_bound_to_their_agent()
    {
        var (tenantId, agentId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var key = RuntimeKeys.Mint(tenantId, agentId, DateTimeOffset.UtcNow);
        Assert.Matches("^pk_[abcdefghjkmnpqrstuvwxyz23456789]{12}_[A-Za-z0-9_-]{43}$", key.Key);
        Assert.Equal(key.Key.Substring(3, 12), key.Row.Prefix);
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key.Key))),
            key.Row.KeyHash);
        Assert.Equal(key.Row.Prefix, ApiKeyFormat.PrefixOf(key.Key));
        Assert.True(ApiKeyFormat.Matches(key.Key, key.Row.KeyHash));
        Assert.Equal((tenantId, agentId), (key.Row.TenantId, key.Row.AgentId));
        Assert.Equal(["runtime"], key.Row.Scopes);
        Assert.Equal($"agent {agentId} runtime", key.Row.Name);
        Assert.DoesNotContain(key.Key, key.ToString(), StringComparison.Ordinal);
    }
}
