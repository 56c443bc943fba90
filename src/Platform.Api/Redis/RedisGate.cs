using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Platform.Api.Http;
using StackExchange.Redis;

namespace Platform.Api.Redis;

/// <summary>
/// A circuit breaker in front of Redis, which is only an accelerator here. Every call gets a short budget; the first
/// failure (an error, a lost connection, a command over budget) opens the circuit, and while it is open no request
/// calls Redis at all: callers take their fallback at once. A background probe PINGs Redis and closes the circuit
/// when it answers again.
/// </summary>
public sealed class RedisGate : BackgroundService
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisGateOptions _options;
    private readonly ILogger<RedisGate> _logger;
    private readonly Counter<long> _bypassed;
    private readonly Counter<long> _failures;
    private readonly WakeSignal _probeNow = new();
    private volatile bool _open;

    public RedisGate(IConnectionMultiplexer redis, IOptions<RedisGateOptions> options, ILogger<RedisGate> logger, IMeterFactory meters)
    {
        _redis = redis;
        _options = options.Value;
        _logger = logger;
        var meter = meters.Create("Platform.Api");
        _bypassed = meter.CreateCounter<long>("platform.redis.bypassed", description: "Redis calls skipped because the circuit was open.");
        _failures = meter.CreateCounter<long>("platform.redis.failures", description: "Redis calls that failed or ran over their budget.");
        meter.CreateObservableGauge("platform.redis.available", () => _open ? 0 : 1, description: "1 while Redis is in use, 0 while the circuit is open.");
        _redis.ConnectionFailed += (_, e) => Open($"connection failed ({e.FailureType})");
        _redis.ConnectionRestored += (_, _) => _probeNow.Set();
        _open = !_redis.IsConnected;
    }

    /// <summary>False while the circuit is open: callers should not even try Redis.</summary>
    public bool IsAvailable => !_open;

    public string? LastFailure { get; private set; }

    /// <summary>Runs <paramref name="call"/> within the budget; false (and the circuit opens) when Redis fails or is known down.</summary>
    public async Task<RedisAttempt<T>> TryAsync<T>(Func<IDatabase, Task<T>> call, string operation)
    {
        if (_open)
        {
            _bypassed.Add(1);
            return default;
        }

        try
        {
            return new RedisAttempt<T>(true, await call(_redis.GetDatabase()).WaitAsync(_options.CommandBudget));
        }
        catch (Exception ex)
        {
            // Whatever a Redis call throws means Redis cannot serve it now: besides RedisException and timeouts, the client
            // throws InvalidOperationException when it writes to a connection that is being torn down.
            _failures.Add(1);
            Open($"{operation}: {ex.GetType().Name}: {ex.Message}");
            return default;
        }
    }

    /// <summary>Fire-and-forget: failures open the circuit and are otherwise ignored (for best-effort signals).</summary>
    public void Publish(RedisChannel channel, RedisValue message)
    {
        if (_open)
        {
            _bypassed.Add(1);
            return;
        }

        try
        {
            _ = _redis.GetSubscriber().PublishAsync(channel, message, CommandFlags.FireAndForget);
        }
        catch (Exception ex)
        {
            _failures.Add(1);
            Open($"publish: {ex.Message}");
        }
    }

    private void Open(string reason)
    {
        LastFailure = reason;
        if (_open)
        {
            return;
        }

        _open = true;
        _logger.LogWarning("Redis is unavailable ({Reason}): rate limits count per replica and the live feed polls PostgreSQL until it is back", reason);
        _probeNow.Set();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _probeNow.WaitAsync(_options.ProbeInterval, stoppingToken);
                if (_open && await PingAsync())
                {
                    _open = false;
                    _logger.LogInformation("Redis is available again");
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Redis probe failed unexpectedly");
            }
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            await _redis.GetDatabase().PingAsync().WaitAsync(_options.CommandBudget * 4);
            return true;
        }
        catch (Exception ex)
        {
            LastFailure = $"probe: {ex.Message}";
            return false;
        }
    }

    public override void Dispose()
    {
        _probeNow.Dispose();
        base.Dispose();
    }
}

/// <summary>The outcome of one gated Redis call: <see cref="Succeeded"/> is false when the caller must fall back.</summary>
public readonly record struct RedisAttempt<T>(bool Succeeded, T Value);
