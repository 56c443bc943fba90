using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Data.Tenancy;
using Platform.Runtime;
using Platform.Worker.Tracing;

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
/// Every <c>Runtime:PollIntervalSeconds</c>: lists the agent workloads of this scope, observes each through the
/// runtime (state, health, restart count, a CPU/memory sample; bounded parallelism), writes one raw container_health
/// row per workload in one batch, and opens/resolves the container alerts (<see cref="AlertRules"/>), with the agents'
/// status following them. A runtime that does not answer opens one platform-wide <c>docker_unreachable</c> alert and
/// the loop backs off (doubling from the interval up to <c>Runtime:MaxBackoffSeconds</c>); a failed iteration is
/// logged and never ends the loop. With <c>Runtime:Backend=none</c> nothing is polled.
/// </summary>
public sealed class DockerPoller : BackgroundService
{
    private static readonly TimeSpan MinimumPause = TimeSpan.FromSeconds(1);
    private readonly IAgentRuntime _runtime;
    private readonly string _scope;
    private readonly RuntimeLoopOptions _options;
    private readonly DbContextOptions<PlatformDbContext> _dbOptions;
    private readonly ILogger<DockerPoller> _logger;
    private readonly TimeProvider _clock;
    private readonly ContainerHealthRecorder _recorder;
    private readonly ContainerAlertReconciler _containerAlerts;
    private readonly DockerUnreachableAlert _unreachableAlert;
    private int _iterations;

    public DockerPoller(
        IAgentRuntime runtime,
        IOptions<RuntimeOptions> runtimeOptions,
        IOptions<RuntimeLoopOptions> options,
        DbContextOptions<PlatformDbContext> dbOptions,
        AlertStore alerts,
        ILogger<DockerPoller> logger,
        TimeProvider clock)
    {
        _runtime = runtime;
        _scope = runtimeOptions.Value.Scope;
        _options = options.Value;
        _dbOptions = dbOptions;
        _logger = logger;
        _clock = clock;
        _recorder = new ContainerHealthRecorder(_options);
        _containerAlerts = new ContainerAlertReconciler(alerts, logger);
        _unreachableAlert = new DockerUnreachableAlert(runtime, _scope, alerts, logger);
    }

    public AlertThresholds Thresholds { get; init; } = AlertThresholds.Default;

    /// <summary>Iterations the background loop has finished (successful or not).</summary>
    public int Iterations => Volatile.Read(ref _iterations);

    public PollResult? LastResult { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (_runtime.Backend == RuntimeBackend.None)
        {
            _logger.LogWarning("No agent runtime is configured (Runtime:Backend=none): agent workloads are not polled");
            return;
        }

        _logger.LogInformation("Polling agent workloads of scope {Scope} at {Endpoint} every {Interval} s",
            _scope, _runtime.Endpoint, _options.PollIntervalSeconds);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = _options.PollInterval;
            try
            {
                var result = await PollOnceAsync(stoppingToken);
                if (result.Reachable)
                {
                    // A fixed cadence: the sweep's own time counts towards the interval (at least 1 s apart).
                    failures = 0;
                    var rest = _options.PollInterval - result.Elapsed;
                    delay = rest > MinimumPause ? rest : MinimumPause;
                }
                else
                {
                    failures++;
                    delay = Backoff(_options.PollInterval, TimeSpan.FromSeconds(_options.MaxBackoffSeconds), failures);
                    _logger.LogWarning("Agent runtime at {Endpoint} unreachable ({Failures} in a row); next try in {Delay} s",
                        _runtime.Endpoint, failures, delay.TotalSeconds);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Workload poll iteration failed");
            }
            finally
            {
                Interlocked.Increment(ref _iterations);
            }

            try
            {
                await Task.Delay(delay, _clock, stoppingToken);
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
        await using var db = PlatformDbContext.Create(_dbOptions, TenantContext.ForPlatform());
        await db.Database.OpenConnectionAsync(cancellationToken);
        var lockKey = LockKey(_scope);
        var locked = (await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({lockKey}) AS \"Value\"").ToListAsync(cancellationToken)).Single();
        if (!locked)
        {
            _logger.LogDebug("Another worker is polling scope {Scope}; iteration skipped", _scope);
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
                _logger.LogWarning(ex, "Could not release the poller lock of scope {Scope}", _scope);
            }
        }
    }

    /// <summary>The advisory lock key of a scope's poller (stable across processes).</summary>
    public static long LockKey(string scope) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("platform.docker-poller:" + scope)), 0);

    private async Task<PollResult> PollLockedAsync(PlatformDbContext db, Stopwatch watch, CancellationToken cancellationToken)
    {
        // A sweep with workloads to observe, or an engine that does not answer, is a trace; an empty sweep starts none.
        Activity? span = null;
        try
        {
            IReadOnlyList<AgentWorkload> containers;
            IReadOnlyList<WorkloadObservation> observations;
            var now = _clock.GetUtcNow();
            try
            {
                containers = await _runtime.ListAsync(cancellationToken);
                if (containers.Count > 0)
                {
                    span = LoopTracing.StartWork("workload poll");
                }

                observations = await _runtime.ObserveAsync(containers, now, cancellationToken);
            }
            catch (RuntimeUnavailableException ex)
            {
                span ??= LoopTracing.StartWork("workload poll");
                span.Failed(ex);
                var raised = await _unreachableAlert.OpenAsync(db, ex, cancellationToken);
                return new PollResult(false, 0, 0, raised ? 1 : 0, 0, 0, watch.Elapsed, ex.Message);
            }

            var unreachableResolved = await _unreachableAlert.ResolveAsync(db, cancellationToken);
            var sweep = await _recorder.RecordAsync(db, observations, now, Thresholds, cancellationToken);
            var outcome = await _containerAlerts.ApplyAsync(
                db, sweep, containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal), cancellationToken);

            var result = new PollResult(
                true, containers.Count, sweep.Known.Count, outcome.Opened, outcome.Resolved + unreachableResolved, outcome.AgentsChanged, watch.Elapsed);
            _logger.LogDebug("Workload poll: {Containers} containers, {Samples} samples, {Opened} alerts opened, {Resolved} resolved, {Changed} agents changed in {Elapsed} ms",
                result.Containers, result.Samples, result.AlertsOpened, result.AlertsResolved, result.AgentsChanged, watch.ElapsedMilliseconds);
            return result;
        }
        finally
        {
            span?.Dispose();
        }
    }

    private PollResult Finish(PollResult result)
    {
        LastResult = result;
        return result;
    }
}
