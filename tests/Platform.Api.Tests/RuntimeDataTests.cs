using System.Net;

namespace Platform.Api.Tests;

/// <summary>Runtime data (activities, metrics) is what an agent reports about itself: only keys with the scope post it.</summary>
public sealed class RuntimeDataTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Both_runtime_endpoints_take_runtime_keys_and_refuse_every_user_platform_admins_included()
    {
        var admin = await _scenario.SignUpAsync();
        var agent = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Reporter" }).ExpectAsync(HttpStatusCode.Created);
        var key = await _scenario.CreateApiKeyAsync(admin, "activities:write", "metrics:write");
        var platform = await _scenario.PlatformAdminAsync();
        var activity = new { type = "message", summary = "hello" };
        var metric = new { periodStart = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:00:00Z"), periodMinutes = 60, tasksCompleted = 1 };
        var activities = $"/api/v1/agents/{agent.Id()}/activities";
        var metrics = $"/api/v1/agents/{agent.Id()}/metrics";

        foreach (var user in new[] { admin.AccessToken, platform.AccessToken })
        {
            await fixture.Api.Client(user).PostAsync(activities, activity).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await fixture.Api.Client(user).PostAsync(metrics, metric).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        await fixture.Api.Client(apiKey: key).PostAsync(activities, activity).ExpectAsync(HttpStatusCode.Created);
        await fixture.Api.Client(apiKey: key).PostAsync(metrics, metric).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM agent_activities WHERE agent_id = @a", ("a", agent.Id())));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM agent_metrics WHERE agent_id = @a", ("a", agent.Id())));
    }
}
