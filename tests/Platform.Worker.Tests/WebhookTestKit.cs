using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Data.Entities;
using Platform.Data.Webhooks;
using Platform.Worker.Containers;
using Platform.Worker.Webhooks;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Platform.Worker.Tests;

/// <summary>
/// The webhook tests' common steps: webhooks with known secrets, alerts raised as the poller raises them, the delivery
/// log, and <see cref="RunningDispatcher"/>, the delivery loop with its LISTEN connection as the worker hosts them.
/// </summary>
internal sealed class WebhookTestKit(WorkerFixture fixture)
{
    public static readonly WebhookSecrets Secrets = new(new EphemeralDataProtectionProvider());

    /// <summary>Short retries and a quick poll, for tests about what happens to a delivery rather than when.</summary>
    public static WebhookDeliveryOptions QuickRetries() => new()
    {
        PollIntervalMs = 50, RetryDelaysSeconds = [0.2, 0.2, 0.2, 0.2], Jitter = 0, TimeoutSeconds = 5,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<(Guid Id, string Secret)> CreateWebhookAsync(Guid? tenantId, string url, params string[] events)
    {
        var (secret, cipher) = Secrets.Create();
        await using var db = fixture.PlatformScoped();
        var now = DateTimeOffset.UtcNow;
        var webhook = new Webhook { TenantId = tenantId, Url = url, Events = events, SecretCipher = cipher, CreatedAt = now, UpdatedAt = now };
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(Ct);
        return (webhook.Id, secret);
    }

    /// <summary>Opens an alert for <paramref name="tenantId"/> (null: a platform-wide one) in its own transaction; its fingerprint.</summary>
    public async Task<string> RaiseAsync(Guid? tenantId, string kind = "test_alert")
    {
        var fingerprint = $"hook-test:{Guid.NewGuid()}";
        await using var db = fixture.PlatformScoped();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        await new AlertStore(TimeProvider.System).OpenAsync(db, new AlertDraft(
            tenantId, null, null, kind, AlertSeverity.Warning, "t", "m", fingerprint), Ct);
        await transaction.CommitAsync(Ct);
        return fingerprint;
    }

    public async Task<List<WebhookDelivery>> DeliveriesAsync(Guid webhookId)
    {
        await using var db = fixture.PlatformScoped();
        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId).ToListAsync(Ct);
    }

    /// <summary>
    /// Deletes a tenant's webhooks and with them their deliveries, so that ones left due (a hanging receiver's) are not
    /// attempted by the next test's dispatcher and counted in its measurements.
    /// </summary>
    public async Task DeleteWebhooksAsync(Guid tenantId)
    {
        await using var db = fixture.PlatformScoped();
        await db.Webhooks.Where(w => w.TenantId == tenantId).ExecuteDeleteAsync(Ct);
    }

    public async Task<int> DeliveredAsync(Guid webhookId) => (await DeliveriesAsync(webhookId)).Count(d => d.State == WebhookDeliveryState.Delivered);

    /// <summary>Runs a dispatcher until <paramref name="done"/>, within 30 s.</summary>
    public async Task RunUntilAsync(Func<Task<bool>> done, WebhookDeliveryOptions? delivery = null)
    {
        await using var dispatcher = await StartAsync(delivery ?? QuickRetries());
        await dispatcher.UntilAsync(done, TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts the delivery loop and its LISTEN connection on the fixture's database, as the worker hosts them.</summary>
    public Task<RunningDispatcher> StartAsync(WebhookDeliveryOptions delivery, IMeterFactory? meters = null) =>
        RunningDispatcher.StartAsync(fixture, delivery, meters);
}

internal sealed class RunningDispatcher : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];
    private WebhookDispatcher _dispatcher = null!;
    private WebhookEventListener _listener = null!;

    private RunningDispatcher()
    {
    }

    public static async Task<RunningDispatcher> StartAsync(WorkerFixture fixture, WebhookDeliveryOptions delivery, IMeterFactory? meters)
    {
        var run = new RunningDispatcher();
        if (meters is null)
        {
            var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            run._owned.Add(services);
            meters = services.GetRequiredService<IMeterFactory>();
        }

        var webhookOptions = new WebhookOptions { AllowHttp = true, AllowedHosts = ["127.0.0.1"] };
        var store = new WebhookDeliveryStore(fixture.AppOptions, TimeProvider.System);
        var recorder = new WebhookAttemptRecorder(
            store, new AlertStore(TimeProvider.System), MsOptions.Create(delivery), TimeProvider.System, meters, NullLogger<WebhookAttemptRecorder>.Instance);
        var http = WebhookHttp.Create(webhookOptions, delivery);
        run._owned.Add(http);
        var sender = new WebhookSender(http, WebhookTestKit.Secrets, delivery, TimeProvider.System);
        var wakeUp = new WebhookWakeUp();
        run._dispatcher = new WebhookDispatcher(
            store, sender, recorder, wakeUp, MsOptions.Create(delivery), TimeProvider.System, NullLogger<WebhookDispatcher>.Instance);
        run._listener = new WebhookEventListener(fixture.Database.AppConnectionString, wakeUp, NullLogger<WebhookEventListener>.Instance);
        await run._listener.StartAsync(TestContext.Current.CancellationToken);
        await run._dispatcher.StartAsync(TestContext.Current.CancellationToken);
        return run;
    }

    /// <summary>Polls <paramref name="done"/> until it holds; fails the test when it does not within <paramref name="bound"/>.</summary>
    public async Task UntilAsync(Func<Task<bool>> done, TimeSpan bound)
    {
        var until = DateTimeOffset.UtcNow + bound;
        while (!await done())
        {
            Assert.True(DateTimeOffset.UtcNow < until, $"not done within {bound.TotalSeconds} s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dispatcher.StopAsync(CancellationToken.None);
        await _listener.StopAsync(CancellationToken.None);
        _dispatcher.Dispose();
        _listener.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
