using Npgsql;
using Platform.Worker.Webhooks;

namespace Platform.Worker.Tests;

/// <summary>
/// Delivery at commit: the outbox's trigger notifies <see cref="WebhookWakeUp.Channel"/>, the worker's LISTEN connection
/// wakes the loop, and the poll is only the safety net. The poll is a minute here, so only the wake-up can deliver
/// within the bound; the listener survives its connection being terminated.
/// </summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookWakeUpTests(WorkerFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private readonly WebhookTestKit _kit = new(fixture);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WebhookDeliveryOptions LongPoll() => new() { PollIntervalMs = 60_000, TimeoutSeconds = 5 };

    [Fact]
    public async Task An_outbox_event_notifies_at_its_commit_and_a_rolled_back_one_does_not()
    {
        // The tenant first: creating its agent writes an event of its own.
        var tenantId = await fixture.Database.CreateTenantAsync();
        await using var listener = new NpgsqlConnection(fixture.Database.AppConnectionString);
        await listener.OpenAsync(Ct);
        var notified = 0;
        listener.Notification += (_, e) => notified += e.Channel == WebhookWakeUp.Channel ? 1 : 0;
        await using (var listen = new NpgsqlCommand($"LISTEN {WebhookWakeUp.Channel}", listener))
        {
            await listen.ExecuteNonQueryAsync(Ct);
        }

        await using (var db = fixture.PlatformScoped())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await new Containers.AlertStore(TimeProvider.System).OpenAsync(db, new Containers.AlertDraft(
                tenantId, null, null, "test_alert", Platform.Data.Entities.AlertSeverity.Warning, "t", "m", $"hook-test:{Guid.NewGuid()}"), Ct);
            await transaction.RollbackAsync(Ct);
        }

        Assert.False(await listener.WaitAsync(TimeSpan.FromMilliseconds(500), Ct), "a rolled-back event notified");
        await _kit.RaiseAsync(tenantId);
        Assert.True(await listener.WaitAsync(Bound, Ct), "a committed event did not notify");
        Assert.Equal(1, notified);
    }

    [Fact]
    public async Task Events_are_delivered_at_their_commit_well_before_the_poll()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, _) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, "alert.raised");
        await using var dispatcher = await _kit.StartAsync(LongPoll());
        await ListeningBackendAsync(otherThan: 0);

        await DeliverOneByOneAsync(dispatcher, tenantId, webhookId, 3);
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task A_terminated_listen_connection_comes_back_and_later_events_still_wake_the_loop()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, _) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, "alert.raised");
        await using var dispatcher = await _kit.StartAsync(LongPoll());
        var first = await ListeningBackendAsync(otherThan: 0);

        await using (var owner = new NpgsqlConnection(fixture.Database.OwnerConnectionString))
        {
            await owner.OpenAsync(Ct);
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", owner);
            terminate.Parameters.AddWithValue("pid", first);
            Assert.True((bool)(await terminate.ExecuteScalarAsync(Ct))!);
        }

        var second = await ListeningBackendAsync(otherThan: first);
        Assert.NotEqual(first, second);
        await DeliverOneByOneAsync(dispatcher, tenantId, webhookId, 2);
    }

    /// <summary>
    /// Raises an event, waits for its delivery within the bound, and lets the loop settle (the finished attempt wakes it
    /// once) before the next, so each delivery is one the event's notification woke.
    /// </summary>
    private async Task DeliverOneByOneAsync(RunningDispatcher dispatcher, Guid tenantId, Guid webhookId, int count)
    {
        for (var n = 1; n <= count; n++)
        {
            await _kit.RaiseAsync(tenantId);
            var expected = n;
            await dispatcher.UntilAsync(async () => await _kit.DeliveredAsync(webhookId) == expected, Bound);
            await Task.Delay(500, Ct);
        }
    }

    /// <summary>The backend of the worker's listener once it listens (its last statement is the LISTEN).</summary>
    private async Task<int> ListeningBackendAsync(int otherThan)
    {
        await using var owner = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await owner.OpenAsync(Ct);
        var until = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var find = new NpgsqlCommand(
                """
                SELECT pid FROM pg_stat_activity
                WHERE application_name = @app AND datname = current_database() AND query LIKE 'LISTEN%' AND pid <> @other
                """, owner);
            find.Parameters.AddWithValue("app", WebhookEventListener.ApplicationName);
            find.Parameters.AddWithValue("other", otherThan);
            if (await find.ExecuteScalarAsync(Ct) is int pid)
            {
                return pid;
            }

            Assert.True(DateTimeOffset.UtcNow < until, "the listener is not listening");
            await Task.Delay(100, Ct);
        }
    }
}
