using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>
/// Reporting reads against a real streaming standby (<see cref="StreamingReplica"/>): they come from it, fall back to
/// the primary while it is down or lagging past Data:MaxReplicaLag (and /health says Degraded), and return to it.
/// </summary>
public sealed class ReplicaRoutingTests(ApiFixture fixture, StreamingReplica replica) : IClassFixture<StreamingReplica>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Without_a_replica_health_says_so_and_stays_healthy()
    {
        var check = await ReplicaCheckAsync(fixture.Api);

        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.StartsWith("No read replica configured", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reporting_reads_come_from_the_replica_and_what_a_user_wrote_reads_back_from_the_primary()
    {
        var admin = await _scenario.SignUpAsync();
        var action = await InsertAuditRowAsync(admin.TenantId!.Value);
        await replica.Standby.WaitForCatchUpAsync(Bound);
        await WaitForReplicaCheckAsync(replica.Patient, "Healthy");
        var reader = replica.Patient.Client(admin.AccessToken);
        Assert.Single(await AuditItemsAsync(reader, action));

        await replica.Standby.PauseReplayAsync();
        try
        {
            var unseen = await InsertAuditRowAsync(admin.TenantId!.Value);
            Assert.Empty(await AuditItemsAsync(reader, unseen));
            Assert.Single(await AuditItemsAsync(fixture.Api.Client(admin.AccessToken), unseen));

            // An agent created and read back through the same API: both on the primary, although the replica has not replayed it.
            var agent = await reader.PostAsync("/api/v1/agents", new { name = "on-primary" }).ExpectAsync(HttpStatusCode.Created);
            await reader.GetAsync($"/api/v1/agents/{agent.GetProperty("id").GetGuid()}", Http.Ct).ExpectAsync(HttpStatusCode.OK);

            await replica.Standby.ResumeReplayAsync();
            await replica.Standby.WaitForCatchUpAsync(Bound);
            Assert.Single(await AuditItemsAsync(reader, unseen));
        }
        finally
        {
            await replica.Standby.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task With_the_replica_killed_reads_answer_from_the_primary_health_is_degraded_and_they_return_when_it_is_back()
    {
        var admin = await _scenario.SignUpAsync();
        var action = await InsertAuditRowAsync(admin.TenantId!.Value);
        await replica.Standby.WaitForCatchUpAsync(Bound);
        await WaitForReplicaCheckAsync(replica.Patient, "Healthy");
        var reader = replica.Patient.Client(admin.AccessToken);
        using var fallbacks = new FallbackCounter(replica.Patient);

        await replica.Standby.KillAsync();
        try
        {
            var check = await WaitForReplicaCheckAsync(replica.Patient, "Degraded");
            Assert.Contains("does not answer", check.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal("Degraded", (await HealthAsync(replica.Patient)).GetProperty("status").GetString());
            Assert.Single(await AuditItemsAsync(reader, action));
            Assert.Equal(1, fallbacks.Down);
        }
        finally
        {
            await replica.Standby.StartAgainAsync();
        }

        await WaitForReplicaCheckAsync(replica.Patient, "Healthy");
        Assert.Single(await AuditItemsAsync(reader, action));

        // Back on the replica: what it has not replayed is not seen.
        await replica.Standby.PauseReplayAsync();
        try
        {
            Assert.Empty(await AuditItemsAsync(reader, await InsertAuditRowAsync(admin.TenantId!.Value)));
        }
        finally
        {
            await replica.Standby.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task A_read_that_loses_the_replica_under_it_is_answered_from_the_primary_and_moves_the_route_at_once()
    {
        // Probed once at start, then not for an hour: only the failed read itself can tell this API the replica is gone.
        await using var api = replica.CreateApi(TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        var admin = await _scenario.SignUpAsync();
        var action = await InsertAuditRowAsync(admin.TenantId!.Value);
        await replica.Standby.WaitForCatchUpAsync(Bound);
        await WaitForReplicaCheckAsync(api, "Healthy");
        var reader = api.Client(admin.AccessToken);
        Assert.Single(await AuditItemsAsync(reader, action));   // leaves an idle replica connection in the pool
        using var fallbacks = new FallbackCounter(api);

        await replica.Standby.KillAsync();
        try
        {
            Assert.Single(await AuditItemsAsync(reader, action));
            Assert.Equal(1, fallbacks.Down);
            var check = await ReplicaCheckAsync(api);
            Assert.Equal("Degraded", check.GetProperty("status").GetString());
            Assert.Contains("does not answer", check.GetProperty("description").GetString(), StringComparison.Ordinal);

            // The following reads go straight to the primary: no second fallback.
            Assert.Single(await AuditItemsAsync(reader, action));
            Assert.Equal(1, fallbacks.Down);
        }
        finally
        {
            await replica.Standby.StartAgainAsync();
        }
    }

    [Fact]
    public async Task Lag_over_the_limit_sends_reads_to_the_primary_until_the_replica_catches_up()
    {
        var admin = await _scenario.SignUpAsync();
        await replica.Standby.WaitForCatchUpAsync(Bound);
        await WaitForReplicaCheckAsync(replica.Strict, "Healthy");
        var reader = replica.Strict.Client(admin.AccessToken);
        using var fallbacks = new FallbackCounter(replica.Strict);

        await replica.Standby.PauseReplayAsync();
        try
        {
            var action = await InsertAuditRowAsync(admin.TenantId!.Value);
            var check = await WaitForReplicaCheckAsync(replica.Strict, "Degraded");
            Assert.Contains("lags", check.GetProperty("description").GetString(), StringComparison.Ordinal);

            // The row exists only on the primary while replay is paused.
            Assert.Single(await AuditItemsAsync(reader, action));
            Assert.Equal(1, fallbacks.Lag);
        }
        finally
        {
            await replica.Standby.ResumeReplayAsync();
        }

        await WaitForReplicaCheckAsync(replica.Strict, "Healthy");
    }

    [Fact]
    public void A_max_lag_written_as_a_bare_number_is_refused_at_start()
    {
        // "5" binds as five days, not the five seconds meant.
        var error = Assert.ThrowsAny<Exception>(() => new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["Data:MaxReplicaLag"] = "5" }).Dispose());
        Assert.Contains("Data:MaxReplicaLag", error.ToString(), StringComparison.Ordinal);
    }

    private async Task<string> InsertAuditRowAsync(Guid tenantId)
    {
        var action = "replica.row_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(fixture.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO audit_logs (id, tenant_id, actor_type, action, severity, created_at) VALUES (gen_random_uuid(), @t, 'system', @a, 'info', now())",
            connection);
        insert.Parameters.AddWithValue("t", tenantId);
        insert.Parameters.AddWithValue("a", action);
        await insert.ExecuteNonQueryAsync(Http.Ct);
        return action;
    }

    private static async Task<JsonElement[]> AuditItemsAsync(HttpClient client, string action) =>
        [.. (await client.GetAsync($"/api/v1/audit-logs?action={action}", Http.Ct).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray()];

    private static async Task<JsonElement> HealthAsync(ApiInstance api)
    {
        using var response = await api.Client().GetAsync("/health", Http.Ct);
        return await response.JsonAsync();
    }

    private static async Task<JsonElement> ReplicaCheckAsync(ApiInstance api) =>
        (await HealthAsync(api)).GetProperty("checks").GetProperty("replica");

    /// <summary>Waits, within <see cref="Bound"/>, until the replica check reports the status; a Healthy one must be on the replica.</summary>
    private static async Task<JsonElement> WaitForReplicaCheckAsync(ApiInstance api, string status)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var check = await ReplicaCheckAsync(api);
            if (check.GetProperty("status").GetString() == status
                && (status != "Healthy" || check.GetProperty("description").GetString()!.StartsWith("Reports read from the replica", StringComparison.Ordinal)))
            {
                return check;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The replica check stayed {check} instead of {status}.");
            await Task.Delay(100, Http.Ct);
        }
    }

    /// <summary>Counts <c>platform.data.replica_fallbacks</c> of one API (its own meter factory), by reason.</summary>
    private sealed class FallbackCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _down;
        private int _lag;

        public FallbackCounter(ApiInstance api)
        {
            var scope = api.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "platform.data.replica_fallbacks" && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason")
                    {
                        _ = Equals(tag.Value, "down") ? Interlocked.Add(ref _down, (int)value) : Interlocked.Add(ref _lag, (int)value);
                    }
                }
            });
            _listener.Start();
        }

        public int Down => Volatile.Read(ref _down);

        public int Lag => Volatile.Read(ref _lag);

        public void Dispose() => _listener.Dispose();
    }
}
