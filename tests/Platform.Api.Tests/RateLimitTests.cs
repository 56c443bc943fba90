using System.Globalization;
using System.Net;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

public sealed class RateLimitTests(ApiFixture fixture)
{
    private const int StarterPerMinute = 60;
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task A_starter_tenant_gets_60_requests_a_minute_shared_across_replicas()
    {
        var admin = await _scenario.SignUpAsync();
        HttpClient[] replicas = [fixture.Api.Client(admin.AccessToken), fixture.SecondReplica.Client(admin.AccessToken)];

        await RateLimitWindows.WaitForRoomAsync();
        for (var i = 0; i < StarterPerMinute; i++)
        {
            await replicas[i % 2].GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        }

        await ExpectRateLimitedAsync(replicas[0].GetAsync("/api/v1/auth/me", Http.Ct));
        await ExpectRateLimitedAsync(replicas[1].GetAsync("/api/v1/auth/me", Http.Ct));
    }

    [Fact]
    public async Task A_large_limit_leased_in_chunks_is_never_exceeded_across_replicas_and_strands_at_most_a_lease_each()
    {
        const int limit = 600; // leases of 3 permits (0.5 %)
        var admin = await _scenario.SignUpAsync();
        var platform = await _scenario.PlatformAdminAsync();
        await fixture.Api.Client(platform.AccessToken).PatchAsync($"/api/v1/tenants/{admin.TenantId}", new { resourceLimits = new { requestsPerMinute = limit } })
            .ExpectAsync(HttpStatusCode.OK);
        HttpClient[] replicas = [fixture.Api.Client(admin.AccessToken), fixture.SecondReplica.Client(admin.AccessToken)];

        await RateLimitWindows.WaitForRoomAsync(TimeSpan.FromSeconds(30));
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, limit + 60), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Http.Ct },
            async (i, ct) =>
            {
                using var response = await replicas[i % 2].GetAsync("/api/v1/auth/me", ct);
                statuses.Add(response.StatusCode);
            });

        var served = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.Equal(limit + 60, served + statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.InRange(served, limit - (2 * 3), limit);
    }

    [Fact]
    public async Task A_tenant_on_a_larger_plan_is_not_limited_by_another_tenants_usage()
    {
        var limited = await _scenario.SignUpAsync();
        var other = await _scenario.SignUpAsync();
        var platform = await _scenario.PlatformAdminAsync();
        await fixture.Api.Client(platform.AccessToken).PatchAsync($"/api/v1/tenants/{other.TenantId}", new { plan = "growth" })
            .ExpectAsync(HttpStatusCode.OK);

        await RateLimitWindows.WaitForRoomAsync();
        var limitedClient = fixture.Api.Client(limited.AccessToken);
        for (var i = 0; i < StarterPerMinute; i++)
        {
            await limitedClient.GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        }

        await ExpectRateLimitedAsync(limitedClient.GetAsync("/api/v1/auth/me", Http.Ct));

        // One more than the starter limit: the growth tenant has its own, larger budget.
        var otherClient = fixture.Api.Client(other.AccessToken);
        for (var i = 0; i <= StarterPerMinute; i++)
        {
            await otherClient.GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        }

        await ExpectRateLimitedAsync(limitedClient.GetAsync("/api/v1/auth/me", Http.Ct));
    }

    [Fact]
    public async Task The_fourth_login_for_one_account_in_a_minute_is_refused_when_the_limit_is_three()
    {
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?>(ApiFixture.SharedReplicaSettings) { ["AbuseLimits:LoginPerAccount"] = "3" });
        var admin = await _scenario.SignUpAsync();
        var bystander = await _scenario.SignUpAsync();

        await RateLimitWindows.WaitForRoomAsync();
        for (var i = 0; i < 3; i++)
        {
            await Login(api, admin.Email, admin.Password).ExpectAsync(HttpStatusCode.OK);
        }

        await ExpectRateLimitedAsync(Login(api, admin.Email, admin.Password));
        await ExpectRateLimitedAsync(Login(api, admin.Email.ToUpperInvariant(), admin.Password));

        // The limit is per account: another account from the same address still signs in.
        await Login(api, bystander.Email, bystander.Password).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Without_redis_the_limits_fail_open()
    {
        var closedPort = ServerProcess.FreeTcpPort();
        await using var api = new ApiInstance(fixture.Database.AppConnectionString,
            $"127.0.0.1:{closedPort},abortConnect=false,connectTimeout=500,syncTimeout=500");
        var email = Scenario.NewEmail();

        var signup = await api.Client().PostAsync("/api/v1/auth/signup",
            new { companyName = "No Redis Ltd", name = "Ada Admin", email, password = Scenario.Password })
            .ExpectAsync(HttpStatusCode.Created);
        var me = await api.Client(signup.Str("accessToken")).GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(email, me.Str("email"));

        await Login(api, email, Scenario.Password).ExpectAsync(HttpStatusCode.OK);
    }

    private static Task<HttpResponseMessage> Login(ApiInstance api, string email, string password) =>
        api.Client().PostAsync("/api/v1/auth/login", new { email, password });

    private static async Task ExpectRateLimitedAsync(Task<HttpResponseMessage> request)
    {
        var response = await request;
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.SingleOrDefault() : null;
        await Task.FromResult(response).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 60,
            $"Retry-After should be whole seconds in 1..60, was '{retryAfter}'");
    }
}
