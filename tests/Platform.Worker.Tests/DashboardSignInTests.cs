using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Tests.Support;

namespace Platform.Worker.Tests;

/// <summary>
/// A browser's way into the jobs dashboard of a worker running as deployed (Production): a dashboard ticket the API issued
/// to a platform admin, exchanged at /hangfire/sign-in for the dashboard cookie. Tickets are issued here by the data
/// library the API issues them with.
/// </summary>
public sealed class DashboardSignInTests(WorkerFixture fixture) : IAsyncLifetime
{
    private WorkerProcess? _worker;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var settings = WorkerProcess.Settings(fixture.Database, $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}", "platform-audit");

        // Every request logged, so the test sees that the sign-in's ticket is not.
        settings["Logging__LogLevel__Microsoft.AspNetCore.Hosting"] = "Information";
        _worker = await WorkerProcess.StartAsync(settings, Ct);
    }

    private (HttpClient Client, CookieContainer Cookies) Browser()
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{_worker!.Port}"),
        };
        return (client, cookies);
    }

    [Fact]
    public async Task An_anonymous_browser_gets_a_problem_that_says_how_to_sign_in()
    {
        var (client, _) = Browser();
        using (client)
        {
            using var response = await client.GetAsync("/hangfire", Ct);
            var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Contains("/hangfire/sign-in?ticket=", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            client.DefaultRequestHeaders.Add("Cookie", "platform.dashboard=forged");
            using var forged = await client.GetAsync("/hangfire", Ct);
            await ProblemAsync(forged, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Fact]
    public async Task A_platform_admins_ticket_signs_in_once_and_is_audited()
    {
        var admin = await CreateUserAsync(UserRole.PlatformAdmin, tenantId: null);
        var ticket = await IssueAsync(admin, tenantId: null);
        var (client, cookies) = Browser();
        using (client)
        {
            using var signIn = await client.GetAsync($"/hangfire/sign-in?ticket={ticket}", Ct);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal("/hangfire", signIn.Headers.Location?.OriginalString);
            var setCookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie")).ToLowerInvariant();
            Assert.Contains("path=/hangfire", setCookie, StringComparison.Ordinal);
            Assert.Contains("httponly", setCookie, StringComparison.Ordinal);
            Assert.Contains("samesite=strict", setCookie, StringComparison.Ordinal);
            Assert.DoesNotContain("secure", setCookie, StringComparison.Ordinal);
            Assert.Contains("expires=", setCookie, StringComparison.Ordinal);

            Assert.Single(cookies.GetCookies(new Uri(client.BaseAddress!, "/hangfire")));
            using var dashboard = await client.GetAsync("/hangfire", Ct);
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            Assert.Contains("Platform jobs", await dashboard.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var (again, _) = Browser();
        using (again)
        {
            using var reused = await again.GetAsync($"/hangfire/sign-in?ticket={ticket}", Ct);
            await ProblemAsync(reused, HttpStatusCode.Unauthorized, "invalid_ticket");
            Assert.False(reused.Headers.Contains("Set-Cookie"));
        }

        Assert.Contains("/hangfire/sign-in?ticket=redacted", _worker!.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ticket, _worker.Output, StringComparison.Ordinal);
        await using var db = fixture.PlatformScoped();
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.ActorId == admin && a.Action == "platform.dashboard_signed_in" && a.TenantId == null, Ct));
    }

    [Fact]
    public async Task A_tenant_admins_ticket_and_a_stream_ticket_do_not_open_the_dashboard()
    {
        var tenant = await fixture.Database.CreateTenantAsync();
        var tenantAdmin = await CreateUserAsync(UserRole.TenantAdmin, tenant);
        var (client, _) = Browser();
        using (client)
        {
            using var refused = await client.GetAsync($"/hangfire/sign-in?ticket={await IssueAsync(tenantAdmin, tenant)}", Ct);
            await ProblemAsync(refused, HttpStatusCode.Forbidden, "forbidden");
            Assert.False(refused.Headers.Contains("Set-Cookie"));

            var platformAdmin = await CreateUserAsync(UserRole.PlatformAdmin, tenantId: null);
            using var streamTicket = await client.GetAsync(
                $"/hangfire/sign-in?ticket={await IssueAsync(platformAdmin, null, AccessTicketPurpose.Stream)}", Ct);
            await ProblemAsync(streamTicket, HttpStatusCode.Unauthorized, "invalid_ticket");

            using var dashboard = await client.GetAsync("/hangfire", Ct);
            await ProblemAsync(dashboard, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    private async Task<Guid> CreateUserAsync(UserRole role, Guid? tenantId)
    {
        await using var db = fixture.PlatformScoped();
        var user = new User
        {
            Email = $"dash-{Guid.NewGuid():N}@example.test", Name = "D", PasswordHash = "x", Role = role, TenantId = tenantId,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync(Ct);
        return user.Id;
    }

    private async Task<string> IssueAsync(Guid userId, Guid? tenantId, AccessTicketPurpose purpose = AccessTicketPurpose.Hangfire)
    {
        await using var db = fixture.PlatformScoped();
        var issued = AccessTickets.Issue(db, new AccessTicket { Purpose = purpose, UserId = userId, SessionId = Guid.NewGuid(), TenantId = tenantId },
            TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow);
        await db.SaveChangesAsync(Ct);
        return issued.Ticket;
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }
}
