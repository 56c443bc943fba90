using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Worker.Jobs;
using Platform.Worker.Webhooks;

namespace Platform.Worker.Tests;

/// <summary>The webhook retention job against the real schema: old finished rows go, pending and recent ones stay.</summary>
public sealed class WebhookRetentionTests(WorkerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Old_finished_deliveries_their_attempts_and_their_events_go_in_batches_and_pending_or_recent_rows_stay()
    {
        var tenant = await fixture.Database.CreateTenantAsync();
        await using var owner = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await owner.OpenAsync(Ct);
        var webhook = await ScalarAsync<Guid>(owner, $"""
            INSERT INTO webhooks (id, tenant_id, url, events, secret_cipher, enabled, created_at, updated_at)
            VALUES (gen_random_uuid(), '{tenant}', 'https://hooks.example/x', ARRAY['alert.raised'], 'c', true, now(), now())
            RETURNING id
            """);

        // 150 old delivered events (more than a batch of 100), each with two attempts.
        await ExecuteAsync(owner, $"""
            WITH e AS (
                INSERT INTO webhook_events (id, tenant_id, type, data, created_at, dispatched_at)
                SELECT gen_random_uuid(), '{tenant}', 'retention-old', jsonb_build_object(), now() - interval '40 days', now() - interval '40 days'
                FROM generate_series(1, 150) RETURNING id),
            d AS (
                INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, state, attempt_count, created_at, updated_at)
                SELECT gen_random_uuid(), '{tenant}', '{webhook}', e.id, 'alert.raised', 'delivered', 2,
                       now() - interval '40 days', now() - interval '40 days' FROM e RETURNING id)
            INSERT INTO webhook_attempts (id, tenant_id, delivery_id, status_code, latency_ms, attempted_at)
            SELECT gen_random_uuid(), '{tenant}', d.id, s, 10, now() - interval '40 days' FROM d, unnest(ARRAY[500, 200]) AS s
            """);
        await EventWithDeliveryAsync(owner, tenant, webhook, "retention-failed", 40, "failed", 40);
        await EventWithDeliveryAsync(owner, tenant, webhook, "retention-pending", 40, "pending", 40);
        await EventWithDeliveryAsync(owner, tenant, webhook, "retention-recent", 40, "delivered", 2);
        await EventAsync(owner, tenant, "retention-unsubscribed", 40, dispatched: true);
        await EventAsync(owner, tenant, "retention-undispatched", 40, dispatched: false);
        await EventAsync(owner, tenant, "retention-new", 1, dispatched: true);

        var job = new WebhookRetentionJob(fixture.AppOptions, fixture.JobAudit(), Options.Create(new RetentionOptions { BatchSize = 100 }),
            Options.Create(new WebhookRetentionOptions { RetentionDays = 30 }), TimeProvider.System);
        await job.RunAsync(Ct);

        Assert.Equal(0, await CountAsync(owner, $"SELECT count(*) FROM webhook_events WHERE tenant_id = '{tenant}' AND type = 'retention-old'"));
        Assert.Equal(0, await CountAsync(owner, $"SELECT count(*) FROM webhook_attempts WHERE tenant_id = '{tenant}'"));
        Assert.Equal(["retention-pending", "retention-recent"], await DeliveryEventTypesAsync(owner, webhook));
        var left = await EventTypesAsync(owner, tenant);
        Assert.DoesNotContain("retention-failed", left);
        Assert.DoesNotContain("retention-unsubscribed", left);
        Assert.Contains("retention-pending", left);
        Assert.Contains("retention-recent", left);
        Assert.Contains("retention-undispatched", left);
        Assert.Contains("retention-new", left);

        // Counts at least this test's rows (deleted in more than one batch each), whatever other tests left.
        var counts = JsonDocument.Parse(await ScalarAsync<string>(owner,
            $"SELECT details::text FROM audit_logs WHERE action = '{WebhookRetentionJob.Action}' ORDER BY created_at DESC LIMIT 1")).RootElement.GetProperty("counts");
        Assert.InRange(counts.GetProperty("deliveries_deleted").GetInt64(), 151, long.MaxValue);
        Assert.InRange(counts.GetProperty("events_deleted").GetInt64(), 152, long.MaxValue);
        Assert.InRange(counts.GetProperty("batches").GetInt64(), 4, long.MaxValue);
    }

    [Fact]
    public void A_retention_of_no_days_stops_the_worker_at_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:RetentionDays"] = "0" });
        builder.AddWebhookDelivery();
        using var host = builder.Build();
        // What the host's start runs before any service starts.
        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(failure.Failures, f => f.Contains(nameof(WebhookRetentionOptions.RetentionDays), StringComparison.Ordinal));
    }

    private static async Task<Guid> EventAsync(NpgsqlConnection owner, Guid tenant, string type, int daysAgo, bool dispatched) =>
        await ScalarAsync<Guid>(owner, $"""
            INSERT INTO webhook_events (id, tenant_id, type, data, created_at, dispatched_at)
            VALUES (gen_random_uuid(), '{tenant}', '{type}', jsonb_build_object(), now() - interval '{daysAgo} days',
                    {(dispatched ? $"now() - interval '{daysAgo} days'" : "NULL")})
            RETURNING id
            """);

    private static async Task EventWithDeliveryAsync(
        NpgsqlConnection owner, Guid tenant, Guid webhook, string type, int eventDaysAgo, string state, int updatedDaysAgo)
    {
        var eventId = await EventAsync(owner, tenant, type, eventDaysAgo, dispatched: true);
        await ExecuteAsync(owner, $"""
            INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, state, attempt_count, next_attempt_at, created_at, updated_at)
            VALUES (gen_random_uuid(), '{tenant}', '{webhook}', '{eventId}', 'alert.raised', '{state}', 1,
                    {(state == "pending" ? "now() + interval '1 hour'" : "NULL")}, now() - interval '{eventDaysAgo} days', now() - interval '{updatedDaysAgo} days')
            """);
    }

    private static async Task<List<string>> DeliveryEventTypesAsync(NpgsqlConnection owner, Guid webhook) =>
        await ListAsync(owner, $"SELECT e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.webhook_id = '{webhook}' ORDER BY e.type");

    private static async Task<List<string>> EventTypesAsync(NpgsqlConnection owner, Guid tenant) =>
        await ListAsync(owner, $"SELECT type FROM webhook_events WHERE tenant_id = '{tenant}'");

    private static async Task<List<string>> ListAsync(NpgsqlConnection owner, string sql)
    {
        await using var command = new NpgsqlCommand(sql, owner);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static Task<long> CountAsync(NpgsqlConnection owner, string sql) => ScalarAsync<long>(owner, sql);

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection owner, string sql)
    {
        await using var command = new NpgsqlCommand(sql, owner);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection owner, string sql)
    {
        await using var command = new NpgsqlCommand(sql, owner);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
