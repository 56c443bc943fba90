using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Platform.Api.Tests.Browser;

/// <summary>The operator console's main flows in a real browser, against the real API that serves it.</summary>
public sealed class ConsoleTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private readonly Scenario _scenario = new(browser.Shared);

    [Fact]
    public async Task An_operator_signs_in_with_MFA_creates_an_agent_and_acknowledges_its_alert()
    {
        var page = await browser.NewPageAsync();
        var (admin, authenticator) = await SignUpWithMfaAsync();

        var response = await page.GotoAsync(new Uri(browser.Api.BaseAddress, "/console").ToString());
        Assert.Equal(200, response!.Status);
        Assert.EndsWith("/console/", page.Url, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", (await response.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);

        await SignInAsync(page, admin, authenticator);
        await page.GetByLabel("Name").FillAsync("Console agent");
        await page.GetByLabel("Role").SelectOptionAsync("operations");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create agent" }).ClickAsync();
        var row = page.Locator("tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "Console agent" }) });
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator(".agent-status")).ToHaveTextAsync("provisioning");
        var agentId = Guid.Parse((await row.GetAttributeAsync("data-agent-id"))!);

        var alertId = await DomainIsolationCases.InsertAlertAsync(browser.Shared, admin.TenantId!.Value, agentId, "console-" + agentId.ToString("N")[..8]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Alerts" }).ClickAsync();
        var alert = page.Locator($"tr[data-alert-id='{alertId}']");
        await Expect(alert.Locator(".alert-state")).ToHaveTextAsync("open");
        await alert.GetByRole(AriaRole.Button, new() { Name = "Acknowledge Memory pressure" }).ClickAsync();
        await Expect(alert.Locator(".alert-state")).ToHaveTextAsync("acknowledged");

        var alerts = await browser.Api.Client(admin.AccessToken).GetAsync("/api/v1/alerts?state=acknowledged", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(alerts.GetProperty("items").EnumerateArray(), a => a.Id() == alertId && a.Str("acknowledgedByUserId") == admin.UserId.ToString());
    }

    [Fact]
    public async Task The_agents_screen_shows_activity_as_it_is_posted()
    {
        var page = await browser.NewPageAsync();
        var (admin, authenticator) = await SignUpWithMfaAsync();
        var agent = (await browser.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Feed agent", role = "pm" })
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var runtime = browser.Api.Client(apiKey: await _scenario.CreateApiKeyAsync(admin, "activities:write"));

        await page.GotoAsync(new Uri(browser.Api.BaseAddress, "/console/").ToString());
        await SignInAsync(page, admin, authenticator);
        await Expect(page.Locator("#feed-state")).ToHaveTextAsync("Live.");
        await runtime.PostAsync($"/api/v1/agents/{agent}/activities", new { type = "task", summary = "Answered the standup" })
            .ExpectAsync(HttpStatusCode.Created);

        var feed = page.GetByRole(AriaRole.List, new() { Name = "Live activity" });
        await Expect(feed).ToContainTextAsync("Answered the standup", new() { Timeout = 2000 });
        await Expect(feed).ToContainTextAsync("Feed agent");
    }

    private async Task<(Session Admin, MfaTests.Authenticator Authenticator)> SignUpWithMfaAsync()
    {
        var admin = await _scenario.SignUpAsync();
        var client = browser.Api.Client(admin.AccessToken);
        var setup = await client.PostAsync("/api/v1/auth/mfa/setup", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var authenticator = new MfaTests.Authenticator(setup.Str("secret"));
        await client.PostAsync("/api/v1/auth/mfa/enable", new { code = await authenticator.NextCodeAsync() }).ExpectAsync(HttpStatusCode.OK);
        return (admin, authenticator);
    }

    private static async Task SignInAsync(IPage page, Session admin, MfaTests.Authenticator authenticator)
    {
        await page.GetByLabel("Email").FillAsync(admin.Email);
        await page.GetByLabel("Password").FillAsync(admin.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // The API answers mfa_required: the console asks for the code as a second step.
        var code = page.GetByLabel("Authentication code");
        await Expect(code).ToBeFocusedAsync();
        await code.FillAsync(await authenticator.NextCodeAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Agents", Exact = true })).ToBeVisibleAsync();
    }
}
