using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Data.Hosting;

/// <summary>
/// Builds the EF model and opens each pool's first connection (Npgsql then loads the server's types) at start, instead
/// of inside the first request, the readiness probe's included. Building the write model is the largest part of the
/// first /health's CPU (bench P8); here it overlaps with building the request pipeline. The read context shares that
/// model; its own pool's first connection is opened once the host has started: nothing on the way to serving needs it,
/// and opened earlier it only competed for the cores with the start itself. A request that arrives first waits for the
/// same build.
/// </summary>
public sealed partial class DataWarmup(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<DataWarmup> logger) : IHostedService
{
    private volatile bool _stopping;
    private Task _warming = Task.CompletedTask;

    /// <summary>Completes when warming has finished, whether it succeeded or not; it never faults.</summary>
    public Task Completion => _warming;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A thread of its own, and synchronous on it: on a small machine the pool has as many threads as cores, and
        // start-up blocks some of them (Data Protection's key ring is read synchronously).
        _warming = Task.Factory.StartNew(Warm, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await _warming.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Warm()
    {
        try
        {
            Warm<PlatformDbContext>();
            WaitHandle.WaitAny([lifetime.ApplicationStarted.WaitHandle, lifetime.ApplicationStopping.WaitHandle]);
            WarmKeyRing();
            Warm<PlatformReadDbContext>();
        }
        catch (Exception ex) when (!_stopping)
        {
            // Only an optimization: whatever is missing gets built by the first request that needs it.
            LogWarmupFailed(logger, ex);
        }
        catch (Exception) when (_stopping)
        {
            // The host stopped while warming (its services may already be disposed).
        }
    }

    private void Warm<TContext>() where TContext : DbContext
    {
        if (_stopping)
        {
            return;
        }

        using var db = services.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext();
        _ = db.Model;
        db.Database.OpenConnection();
        db.Database.CloseConnection();
    }

    /// <summary>Reads the Data Protection key ring (creating the first key if there is none), as its own preloader did at start.</summary>
    private void WarmKeyRing()
    {
        if (!_stopping && services.GetService<IDataProtectionProvider>() is { } provider)
        {
            _ = provider.CreateProtector(typeof(DataWarmup).FullName!).Protect([0]);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the data layer at start failed; the first request that needs it builds it.")]
    private static partial void LogWarmupFailed(ILogger logger, Exception exception);
}
