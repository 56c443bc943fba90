using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
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
public sealed class DockerPoller : BackgroundService
{
    private static readonly TimeSpan MinimumPause = TimeSpan.FromSeconds(1);
    private readonly DockerConnection _docker;
    private readonly DbContextOptions<PlatformDbContext> _dbOptions;
    private readonly ILogger<DockerPoller> _logger;
    private readonly TimeProvider _clock;
    private readonly ContainerObserver _observer;
    private readonly ContainerHealthRecorder _recorder;
    private readonly ContainerAlertReconciler _containerAlerts;
    private readonly DockerUnreachableAlert _unreachableAlert;
    private int _iterations;

    public DockerPoller(
        DockerConnection docker,
        DbContextOptions<PlatformDbContext> dbOptions,
        AlertStore alerts,
        ILogger<DockerPoller> logger,
        TimeProvider clock)
    {
        _docker = docker;
        _dbOptions = dbOptions;
        _logger = logger;
        _clock = clock;
        _observer = new ContainerObserver(docker, logger);
        _recorder = new ContainerHealthRecorder(docker.Options);
        _containerAlerts = new ContainerAlertReconciler(docker, alerts, logger);
        _unreachableAlert = new DockerUnreachableAlert(docker.Options, alerts, logger);
    }

    public AlertThresholds Thresholds { get; init; } = AlertThresholds.Default;

    /// <summary>Iterations the background loop has finished (successful or not).</summary>
    public int Iterations => Volatile.Read(ref _iterations);

    public PollResult? LastResult { get; private set; }

    private DockerOptions Options => _docker.Options;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!Options.Enabled)
        {
            _logger.LogWarning("Docker polling is disabled (Docker:Enabled=false)");
            return;
        }

        _logger.LogInformation("Polling agent containers of scope {Scope} at {Endpoint} every {Interval} s",
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
                    _logger.LogWarning("Docker engine at {Endpoint} unreachable ({Failures} in a row); next try in {Delay} s",
                        Options.Endpoint, failures, delay.TotalSeconds);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Docker poll iteration failed");
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
        var lockKey = LockKey(Options.Scope);
        var locked = (await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({lockKey}) AS \"Value\"").ToListAsync(cancellationToken)).Single();
        if (!locked)
        {
            _logger.LogDebug("Another worker is polling scope {Scope}; iteration skipped", Options.Scope);
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
                _logger.LogWarning(ex, "Could not release the poller lock of scope {Scope}", Options.Scope);
            }
        }
    }

    /// <summary>The advisory lock key of a scope's poller (stable across processes).</summary>
    public static long LockKey(string scope) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("platform.docker-poller:" + scope)), 0);

    private async Task<PollResult> PollLockedAsync(PlatformDbContext db, Stopwatch watch, CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> containers;
        try
        {
            containers = await _docker.ListAgentContainersAsync(cancellationToken);
        }
        catch (Exception ex) when (DockerConnection.IsUnreachable(ex, cancellationToken))
        {
            var raised = await _unreachableAlert.OpenAsync(db, ex, cancellationToken);
            return new PollResult(false, 0, 0, raised ? 1 : 0, 0, 0, watch.Elapsed, ex.Message);
        }

        var unreachableResolved = await _unreachableAlert.ResolveAsync(db, cancellationToken);
        var now = _clock.GetUtcNow();
        var observations = await _observer.ObserveAsync(containers, now, cancellationToken);
        var sweep = await _recorder.RecordAsync(db, observations, now, Thresholds, cancellationToken);
        var outcome = await _containerAlerts.ApplyAsync(
            db, sweep, containers.Select(c => c.ID).ToHashSet(StringComparer.Ordinal), cancellationToken);
        _observer.ForgetAllExcept(sweep.ContainerIds.ToHashSet(StringComparer.Ordinal));

        var result = new PollResult(
            true, containers.Count, sweep.Known.Count, outcome.Opened, outcome.Resolved + unreachableResolved, outcome.AgentsChanged, watch.Elapsed);
        _logger.LogDebug("Docker poll: {Containers} containers, {Samples} samples, {Opened} alerts opened, {Resolved} resolved, {Changed} agents changed in {Elapsed} ms",
            result.Containers, result.Samples, result.AlertsOpened, result.AlertsResolved, result.AgentsChanged, watch.ElapsedMilliseconds);
        return result;
    }

    private PollResult Finish(PollResult result)
    {
        LastResult = result;
        return result;
    }
}
