using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>
/// Redis is killed while requests run, and comes back empty: nothing waits on it, nothing committed is lost, and no
/// revocation depends on it.
/// </summary>
public sealed class RedisOutageTests(OutageFixture fixture, ITestOutputHelper output) : IClassFixture<OutageFixture>
{
    private static readonly TimeSpan Answered = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task While_redis_is_down_every_request_is_answered_within_a_second_revocations_hold_and_the_feed_loses_nothing()
    {
        var scenario = new OutageScenario(fixture);
        var (admin, agentId, runtimeKey, readKey) = await scenario.EnterpriseTenantAsync();
        var doomedKey = await scenario.CreateKeyAsync(admin, "agents:read");
        await fixture.SecondReplica.Client(apiKey: doomedKey).GetAsync("/api/v1/agents", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        // Sign-ins go through the abuse limits in Redis. A locked account is answered right after them, without bcrypt
        // (deliberately slow, and not what is measured here).
        var locked = await scenario.LockedAccountAsync(admin);

        var subscribers = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            FeedSubscriber.StartAsync(i % 2 == 0 ? fixture.Api : fixture.SecondReplica, admin.AccessToken)));
        var posted = new ConcurrentBag<Guid>();
        var samples = new ConcurrentBag<(string What, HttpStatusCode Status, TimeSpan Elapsed)>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var api = worker % 2 == 0 ? fixture.Api : fixture.SecondReplica;
            var writer = api.Client(apiKey: runtimeKey);
            var reader = api.Client(apiKey: readKey);
            var anonymous = api.Client();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await TimedAsync(samples, "post activity", () => writer.PostAsync($"/api/v1/agents/{agentId}/activities",
                    new { type = "message", summary = $"w{worker}-{n}" }), body => posted.Add(body.Id()));
                await TimedAsync(samples, "list agents", () => reader.GetAsync("/api/v1/agents", Http.Ct));

                // Paced: what is measured is waiting on Redis, not on two busy cores.
                await Task.Delay(25, Http.Ct);
                if (n % 4 == 0)
                {
                    await TimedAsync(samples, "login to a locked account", () => anonymous.PostAsync("/api/v1/auth/login",
                        new { email = locked, password = "wrong-password-1" }));
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(1), Http.Ct);
        await fixture.Redis.StopAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500), Http.Ct);

        var health = await fixture.Api.Client().GetAsync("/health", Http.Ct);
        var healthBody = await health.Content.ReadAsStringAsync(Http.Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"status\":\"Degraded\"", healthBody, StringComparison.Ordinal);

        // A key revoked while Redis is down is refused here at once, and on the other replica within seconds.
        var revoke = Stopwatch.StartNew();
        await fixture.Api.Client(admin.AccessToken).DeleteAsync($"/api/v1/api-keys/{await scenario.KeyIdAsync(doomedKey)}", Http.Ct)
            .ExpectAsync(HttpStatusCode.NoContent);
        Assert.True(revoke.Elapsed < Answered, $"the revocation took {revoke.Elapsed.TotalMilliseconds:F0} ms");
        await fixture.Api.Client(apiKey: doomedKey).GetAsync("/api/v1/agents", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var propagated = await Http.EventuallyAsync(() => fixture.SecondReplica.Client(apiKey: doomedKey).GetAsync("/api/v1/agents", Http.Ct),
            HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5));

        // Every subscriber drops its connection during the outage and resumes from its Last-Event-ID.
        foreach (var subscriber in subscribers)
        {
            await subscriber.ReconnectAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(2), Http.Ct);
        await fixture.Redis.StartAgainAsync();
        await Task.Delay(TimeSpan.FromSeconds(2), Http.Ct);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var committed = await CommittedActivitiesAsync(admin.TenantId!.Value);
        Assert.Equal(posted.Order(), committed.Order());
        foreach (var subscriber in subscribers)
        {
            await subscriber.WaitForAsync(committed, TimeSpan.FromSeconds(15));
            await subscriber.DisposeAsync();
        }

        var slowest = samples.MaxBy(s => s.Elapsed);
        output.WriteLine($"{samples.Count} requests, {posted.Count} activities; slowest {slowest.What} {slowest.Elapsed.TotalMilliseconds:F0} ms; " +
            $"revocation reached the other replica after {propagated.TotalMilliseconds:F0} ms");
        Assert.All(samples, s => Assert.True((int)s.Status < 500, $"{s.What}: {(int)s.Status}"));
        Assert.All(samples, s => Assert.True(s.Elapsed < Answered, $"{s.What} took {s.Elapsed.TotalMilliseconds:F0} ms"));
        Assert.All(samples.Where(s => s.What.StartsWith("login", StringComparison.Ordinal)), s => Assert.Equal(HttpStatusCode.Locked, s.Status));

        await Http.EventuallyAsync(() => fixture.Api.Client().GetAsync("/health", Http.Ct), HttpStatusCode.OK, TimeSpan.FromSeconds(5));
        await WaitForHealthyAsync();
    }

    [Fact]
    public async Task Sign_ins_counted_while_redis_was_down_count_in_its_window_once_it_is_back()
    {
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["AbuseLimits:LoginPerAccount"] = "3" });
        var admin = await new OutageScenario(fixture).SignUpAsync();
        var login = () => api.Client().PostAsync("/api/v1/auth/login", new { email = admin.Email, password = admin.Password });
        await RateLimitWindows.WaitForRoomAsync(TimeSpan.FromSeconds(40));

        await fixture.Redis.StopAsync();
        await login().ExpectAsync(HttpStatusCode.OK);
        await login().ExpectAsync(HttpStatusCode.OK);
        await fixture.Redis.StartAgainAsync();
        await WaitForHealthyAsync(api);

        // Two were counted in the replica's memory; Redis gets them with the next, so the window's limit of three holds.
        await login().ExpectAsync(HttpStatusCode.OK);
        await login().ExpectProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task Mfa_and_channel_secrets_survive_a_redis_that_restarts_empty_and_an_api_restart()
    {
        var scenario = new OutageScenario(fixture);
        var (admin, agentId, _, _) = await scenario.EnterpriseTenantAsync();
        var authenticator = await scenario.EnableMfaAsync(admin);
        var channel = await fixture.Api.Client(admin.AccessToken).PostAsync($"/api/v1/agents/{agentId}/channels",
            new { type = "slack", name = "ops", config = new { channel = "#ops", botToken = "xoxb-secret-value" } }).ExpectAsync(HttpStatusCode.Created);

        await fixture.Redis.FlushAllAsync();
        await fixture.Redis.StopAsync();
        await fixture.Redis.StartAgainAsync();
        await fixture.RestartApiAsync();

        var login = await fixture.Api.Client().PostAsync("/api/v1/auth/login",
            new { email = admin.Email, password = admin.Password, mfaCode = authenticator.Next() }).ExpectAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(login.Str("accessToken")));
        Assert.Equal("xoxb-secret-value", await scenario.RevealChannelSecretAsync(fixture.Api, channel.Id(), "botToken"));

        // The key ring is encrypted at rest with the configured certificate.
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("SELECT string_agg(xml, '') FROM data_protection_keys", connection);
        var ring = (string)(await command.ExecuteScalarAsync(Http.Ct))!;
        Assert.Contains("EncryptedData", ring, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", ring, StringComparison.Ordinal);
    }

    private static async Task TimedAsync(
        ConcurrentBag<(string, HttpStatusCode, TimeSpan)> samples, string what, Func<Task<HttpResponseMessage>> request,
        Action<System.Text.Json.JsonElement>? onCreated = null)
    {
        var watch = Stopwatch.StartNew();
        using var response = await request();
        var elapsed = watch.Elapsed;
        samples.Add((what, response.StatusCode, elapsed));
        if (response.StatusCode == HttpStatusCode.Created && onCreated is not null)
        {
            onCreated(await response.JsonAsync());
        }
    }

    private async Task<List<Guid>> CommittedActivitiesAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("SELECT id FROM agent_activities WHERE tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", tenantId);
        await using var reader = await command.ExecuteReaderAsync(Http.Ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(Http.Ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private Task WaitForHealthyAsync() => WaitForHealthyAsync(fixture.Api);

    private static async Task WaitForHealthyAsync(ApiInstance api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var body = await api.Client().GetStringAsync("/health", Http.Ct);
            if (body.Contains("\"status\":\"Healthy\"", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not healthy again after Redis came back: {body}");
            await Task.Delay(200, Http.Ct);
        }
    }
}
