using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Runtime;

namespace Platform.Api.Tests;

/// <summary>
/// Wake, restart and logs through a real Docker engine: the API drives the runtime itself for these, answers 503 while it
/// is unreachable, and writes one audit row and one feed event per transition.
/// </summary>
public sealed class AgentRuntimeTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    private ApiInstance Api => fixture.RuntimeApi;

    private IAgentRuntime Runtime => Api.Services.GetRequiredService<IAgentRuntime>();

    [Fact]
    public async Task Wake_brings_an_idle_agent_back_running_once_however_many_ask_and_refuses_a_paused_one()
    {
        await RuntimeEngine.RequireAsync();
        var (admin, agentId, workload) = await RunningAgentAsync();
        foreach (var stage in new[] { "frozen", "stopped" })
        {
            await SleepAsync(agentId, workload, stage);
            var client = Api.Client(admin.AccessToken);
            var wakes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.PostAsync($"/api/v1/agents/{agentId}/wake", null, Http.Ct)));
            Assert.All(wakes, w => Assert.Equal(HttpStatusCode.OK, w.StatusCode));
            Assert.Equal("active", (await wakes[0].JsonAsync()).Str("status"));
            Assert.Equal(WorkloadState.Running, (await Runtime.ListAsync(Http.Ct)).Single(w => w.Id == workload).State);
        }

        Assert.Equal(2, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE target_id = @a AND action = 'agent.woken'", ("a", agentId)));
        Assert.Equal(2, await _scenario.CountAsync("SELECT count(*) FROM agent_activities WHERE agent_id = @a AND details->>'event' = 'agent.woken'", ("a", agentId)));

        // Already active: a no-op that writes nothing.
        await Api.Client(admin.AccessToken).PostAsync($"/api/v1/agents/{agentId}/wake", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        await Api.Client(admin.AccessToken).PostAsync($"/api/v1/agents/{agentId}/pause", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        await Api.Client(admin.AccessToken).PostAsync($"/api/v1/agents/{agentId}/wake", null, Http.Ct).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Equal(2, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE target_id = @a AND action = 'agent.woken'", ("a", agentId)));
    }

    [Fact]
    public async Task Restart_gives_a_fresh_workload_and_a_rotated_key_and_is_refused_before_a_workload_or_while_paused()
    {
        await RuntimeEngine.RequireAsync();
        var (admin, agentId, workload) = await RunningAgentAsync();
        var client = Api.Client(admin.AccessToken);

        var restarted = await client.PostAsync($"/api/v1/agents/{agentId}/restart", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", restarted.Str("status"));
        var workloads = await Runtime.ListAsync(Http.Ct);
        var fresh = Assert.Single(workloads, w => w.AgentId == agentId);
        Assert.NotEqual(workload, fresh.Id);
        Assert.Equal(fresh.Id, await AgentColumnAsync(agentId, "container_id"));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM api_keys WHERE agent_id = @a AND revoked_at IS NULL", ("a", agentId)));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM api_keys WHERE agent_id = @a AND revoked_at IS NOT NULL", ("a", agentId)));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE target_id = @a AND action = 'agent.restarted'", ("a", agentId)));

        await client.PostAsync($"/api/v1/agents/{agentId}/pause", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        await client.PostAsync($"/api/v1/agents/{agentId}/restart", null, Http.Ct).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        var unprovisioned = await client.PostAsync("/api/v1/agents", new { name = "Not yet" }).ExpectAsync(HttpStatusCode.Created);
        await client.PostAsync($"/api/v1/agents/{unprovisioned.Id()}/restart", null, Http.Ct).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        await client.GetAsync($"/api/v1/agents/{unprovisioned.Id()}/logs", Http.Ct).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Logs_tail_with_both_streams_follow_until_the_container_stops_and_refuse_bad_values()
    {
        await RuntimeEngine.RequireAsync();
        var (admin, agentId, workload) = await RunningAgentAsync();
        var client = Api.Client(admin.AccessToken);
        await Task.Delay(TimeSpan.FromSeconds(1.5), Http.Ct);

        var tail = await client.GetAsync($"/api/v1/agents/{agentId}/logs?tail=4", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var items = tail.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        Assert.Contains(items, i => i.Str("stream") == "stdout" && i.Str("line").StartsWith("out ", StringComparison.Ordinal));
        Assert.Contains(items, i => i.Str("stream") == "stderr" && i.Str("line").StartsWith("err ", StringComparison.Ordinal));
        Assert.All(items, i => Assert.True(i.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1)));

        foreach (var bad in new[] { "tail=0", "tail=5001", "tail=abc", "since=yesterday" })
        {
            await client.GetAsync($"/api/v1/agents/{agentId}/logs?{bad}", Http.Ct).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        }

        var stranger = await _scenario.SignUpAsync();
        await Api.Client(stranger.AccessToken).GetAsync($"/api/v1/agents/{agentId}/logs", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        await using var follow = await SseClient.ConnectAsync(client, $"/api/v1/agents/{agentId}/logs?tail=1&follow=true");
        var first = await follow.NextAsync();
        var second = await follow.NextAsync();
        Assert.Equal(("log", "log"), (first.Type, second.Type));
        await Runtime.StopAsync(workload, Http.Ct);
        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            while (true)
            {
                await follow.NextAsync(TimeSpan.FromSeconds(15));
            }
        });
    }

    [Fact]
    public async Task An_unreachable_runtime_is_503_for_its_endpoints_and_nothing_else()
    {
        var settings = fixture.RuntimeSettings();
        settings["Runtime:Endpoint"] = "unix:///tmp/no-such-engine-" + Guid.NewGuid().ToString("N") + ".sock";
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString, settings);
        var (admin, agentId, _) = await RunningAgentAsync(provision: false);
        await SleepAsync(agentId, "unknown-workload", "frozen", freeze: false);

        var client = api.Client(admin.AccessToken);
        using var wake = await client.PostAsync($"/api/v1/agents/{agentId}/wake", null, Http.Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, wake.StatusCode);
        Assert.True(wake.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("runtime_unavailable", (await wake.JsonAsync()).Str("code"));
        await client.GetAsync($"/api/v1/agents/{agentId}/logs", Http.Ct).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "runtime_unavailable");
        await client.GetAsync($"/api/v1/agents/{agentId}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        using var health = await api.Client().GetAsync("/health", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>An agent created through the API and given a workload and key as the worker's provisioner would.</summary>
    private async Task<(Session Admin, Guid AgentId, string Workload)> RunningAgentAsync(bool provision = true)
    {
        var admin = await _scenario.SignUpAsync();
        var agent = await Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Runner" }).ExpectAsync(HttpStatusCode.Created);
        var agentId = agent.Id();
        var (key, _) = await _scenario.MintRuntimeKeyAsync(admin.TenantId!.Value, agentId);
        var workload = provision
            ? await Runtime.CreateAsync(new AgentWorkloadSpec(agentId, admin.TenantId!.Value,
                new Dictionary<string, string> { ["PLATFORM_AGENT_ID"] = agentId.ToString(), ["PLATFORM_API_KEY"] = key }, 0.5m, 256), Http.Ct)
            : "unknown-workload";
        await ExecuteAsync("UPDATE agents SET status = 'active', container_id = @w, last_active_at = now() WHERE id = @a", ("w", workload), ("a", agentId));
        return (admin, agentId, workload);
    }

    /// <summary>Puts the agent to sleep as the worker's hibernation sweep would.</summary>
    private async Task SleepAsync(Guid agentId, string workload, string stage, bool freeze = true)
    {
        if (freeze)
        {
            await (stage == "frozen" ? Runtime.FreezeAsync(workload, Http.Ct) : Runtime.StopAsync(workload, Http.Ct));
        }

        await ExecuteAsync(
            "UPDATE agents SET status = 'idle', idle_stage = @s, idle_since = now(), idle_reason = 'test', last_active_at = now() - interval '1 hour' WHERE id = @a",
            ("s", stage), ("a", agentId));
    }

    private async Task<string?> AgentColumnAsync(Guid agentId, string column)
    {
        await using var connection = new NpgsqlConnection(fixture.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand($"SELECT {column} FROM agents WHERE id = @a", connection);
        command.Parameters.AddWithValue("a", agentId);
        return (string?)await command.ExecuteScalarAsync(Http.Ct);
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(Http.Ct);
    }
}
