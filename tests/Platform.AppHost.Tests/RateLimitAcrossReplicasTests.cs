using System.Net;
using System.Text.Json;

namespace Platform.AppHost.Tests;

/// <summary>The per-tenant request limit is one budget in Redis, however many API replicas serve the tenant.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class RateLimitAcrossReplicasTests(ScaleOutApp app)
{
    // Set in the tenant's resource_limits (the plan allows 60 a minute): a small budget keeps the burst short and the count exact.
    private const int Budget = 12;
    private const int MaxAttempts = 3;

    [Fact(Timeout = 600_000)]
    public async Task Requests_spread_over_the_three_replicas_share_one_budget_per_tenant()
    {
        var ct = TestContext.Current.CancellationToken;
        app.Describe();
        Assert.Equal(ScaleOutApp.ApiReplicaCount, app.Api.Select(r => r.Address).Distinct().Count());
        Assert.Equal(ScaleOutApp.ApiReplicaCount, app.Api.Select(r => r.ProcessId).Distinct().Count());

        using var anonymous = ScaleOutApp.Client(app.Api[0]);
        using var platform = ScaleOutApp.Client(app.Api[1], await ApiCalls.PlatformAdminTokenAsync(anonymous));
        for (var attempt = 1; ; attempt++)
        {
            var (tenantId, accessToken) = await ApiCalls.SignUpAsync(anonymous);
            await ApiCalls.PatchAsync(platform, $"/api/v1/tenants/{tenantId}",
                new { resourceLimits = new { requestsPerMinute = Budget } }, HttpStatusCode.OK);

            await WaitForRoomInTheWindowAsync(ct);
            var window = CurrentWindow();
            var tally = await BurstAsync(accessToken, ct);
            if (CurrentWindow() != window)
            {
                // The burst straddled two windows, which have a budget each: try again with a fresh tenant.
                Assert.True(attempt < MaxAttempts, $"{MaxAttempts} bursts of {Budget * app.Api.Count} requests each spanned two minutes.");
                continue;
            }

            foreach (var (replica, (served, limited)) in tally)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{replica.Name}: {served} served, {limited} refused with 429");
                Assert.True(served > 0, $"{replica} served none of the tenant's requests.");
                Assert.True(limited > 0, $"{replica} refused none of the tenant's requests: it counted on its own.");
            }

            Assert.Equal(Budget, tally.Values.Sum(t => t.Served));
            return;
        }
    }

    /// <summary>Three budgets' worth of requests, in turn to each replica's own endpoint.</summary>
    private async Task<Dictionary<Replica, (int Served, int Limited)>> BurstAsync(string accessToken, CancellationToken cancellationToken)
    {
        var clients = app.Api.Select(r => (Replica: r, Client: ScaleOutApp.Client(r, accessToken))).ToList();
        var tally = app.Api.ToDictionary(r => r, _ => (Served: 0, Limited: 0));
        try
        {
            for (var i = 0; i < Budget * clients.Count; i++)
            {
                var (replica, client) = clients[i % clients.Count];
                using var response = await client.GetAsync("/api/v1/auth/me", cancellationToken);
                var (served, limited) = tally[replica];
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    tally[replica] = (served + 1, limited);
                    continue;
                }

                await AssertRateLimitedAsync(replica, response, cancellationToken);
                tally[replica] = (served, limited + 1);
            }
        }
        finally
        {
            clients.ForEach(c => c.Client.Dispose());
        }

        return tally;
    }

    private static async Task AssertRateLimitedAsync(Replica replica, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{replica}: expected 200 or 429, got {(int)response.StatusCode}: {body}");
        Assert.Equal("rate_limited", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.True(response.Headers.Contains("Retry-After"), $"{replica}: a 429 without Retry-After.");
    }

    // The limiter's windows are calendar minutes of the shared clock.
    private static long CurrentWindow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000;

    private static async Task WaitForRoomInTheWindowAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (now.Second >= 40)
        {
            await Task.Delay(TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond - 100), cancellationToken);
        }
    }
}
