using System.Net;
using System.Text.Json;

namespace Platform.AppHost.Tests;

/// <summary>The live activity feed goes through Redis: a post on any replica reaches the subscribers of every replica.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ActivityFeedAcrossReplicasTests(ScaleOutApp app)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 600_000)]
    public async Task An_activity_posted_through_any_replica_reaches_subscribers_on_every_replica()
    {
        var ct = TestContext.Current.CancellationToken;
        app.Describe();
        using var anonymous = ScaleOutApp.Client(app.Api[0]);
        var (_, accessToken) = await ApiCalls.SignUpAsync(anonymous);
        using var admin = ScaleOutApp.Client(app.Api[1], accessToken);
        var agentId = (await ApiCalls.PostAsync(admin, "/api/v1/agents", new { name = "Feeder" }, HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var runtimeKey = (await ApiCalls.PostAsync(admin, "/api/v1/api-keys",
            new { name = "runtime", scopes = new[] { "activities:write" } }, HttpStatusCode.Created)).GetProperty("key").GetString()!;

        var feeds = new List<(Replica Replica, SseStream Feed)>();
        try
        {
            foreach (var replica in app.Api)
            {
                var feed = await SseStream.OpenAsync(
                    ScaleOutApp.Client(replica, accessToken, streaming: true), "/api/v1/activities/stream", ct);
                feeds.Add((replica, feed));
                // The feed subscribes before it sends 'ready': from here on nothing posted is missed.
                Assert.Equal("ready", (await feed.NextAsync(EventTimeout)).EventType);
            }

            foreach (var poster in app.Api)
            {
                using var runtime = ScaleOutApp.Client(poster, apiKey: runtimeKey);
                var summary = $"posted through {poster.Name}";
                var posted = await ApiCalls.PostAsync(runtime, $"/api/v1/agents/{agentId}/activities",
                    new { type = "message", summary }, HttpStatusCode.Created);

                foreach (var (replica, feed) in feeds)
                {
                    var received = await feed.NextAsync(EventTimeout);
                    Assert.Equal("activity", received.EventType);
                    var activity = JsonDocument.Parse(received.Data).RootElement;
                    Assert.True(posted.GetProperty("id").GetGuid() == activity.GetProperty("id").GetGuid(),
                        $"{replica.Name} received '{activity.GetProperty("summary")}' where '{summary}' was expected.");
                    Assert.False(string.IsNullOrEmpty(received.EventId));
                }
            }
        }
        finally
        {
            foreach (var (_, feed) in feeds)
            {
                await feed.DisposeAsync();
            }
        }
    }
}
