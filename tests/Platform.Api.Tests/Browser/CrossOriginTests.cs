using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Platform.Api.Tests.Web;

namespace Platform.Api.Tests.Browser;

/// <summary>
/// A frontend on the documented dev origin (http://localhost:5173, served here by the browser itself) using the client
/// bundle against the API on another origin: real cross-origin fetches and a ticketed EventSource that survives the
/// server ending the stream.
/// </summary>
public sealed class CrossOriginTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Page = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev server</title></head>
        <body><script type="module">
          import * as platform from "/platform-client.js";
          window.platform = platform;
        </script></body></html>
        """;

    [Fact]
    public async Task A_page_on_the_dev_origin_signs_in_and_follows_the_activity_stream_across_a_drop()
    {
        var page = await OpenDevServerAsync();
        var email = Scenario.NewEmail("cors");
        var signedIn = await page.EvaluateAsync<JsonElement>("""
            async ({ baseUrl, email, password }) => {
              const session = new platform.TokenSession(baseUrl);
              const client = platform.createPlatformClient({ baseUrl, session });
              const signup = await client.POST("/api/v1/auth/signup", { body: { companyName: "Dev origin", name: "Dee", email, password } });
              if (!signup.data) return { failed: "signup " + signup.response.status };
              const login = await client.POST("/api/v1/auth/login", { body: { email, password } });
              if (!login.data) return { failed: "login " + login.response.status };
              session.accept(login.data);
              const agent = await client.POST("/api/v1/agents", { body: { name: "Cross-origin agent", role: "pm" } });
              if (!agent.data) return { failed: "agent " + agent.response.status };
              window.client = client;
              return { agentId: agent.data.id, accessToken: session.accessToken };
            }
            """, new { baseUrl = browser.Api.BaseAddress.ToString().TrimEnd('/'), email, password = Scenario.Password });
        Assert.False(signedIn.TryGetProperty("failed", out var failed), $"cross-origin call failed: {failed}");
        var agentId = signedIn.Str("agentId");

        var keyOwner = browser.Api.Client(signedIn.Str("accessToken"));
        var key = (await keyOwner.PostAsync("/api/v1/api-keys", new { name = "runtime", scopes = new[] { "activities:write" } })
            .ExpectAsync(HttpStatusCode.Created)).Str("key");
        var runtime = browser.Api.Client(apiKey: key);

        // A long first retry delay leaves a window, after the server drops the stream, in which to post unseen.
        await page.EvaluateAsync("""
            () => {
              window.received = []; window.opens = 0; window.drops = 0;
              window.stream = platform.openActivityStream(window.client, {
                onEvent: a => window.received.push(a.summary),
                onOpen: () => window.opens++,
                onError: () => window.drops++,
              }, { retryDelayMs: 1500 });
            }
            """);
        await page.WaitForFunctionAsync("() => window.opens === 1");

        await PostAsync(runtime, agentId, "while connected");
        await page.WaitForFunctionAsync("s => window.received.includes(s)", "while connected", new() { Timeout = 2000 });

        await page.WaitForFunctionAsync("() => window.drops >= 1", null, new() { Timeout = (BrowserFixture.StreamMaxDurationSeconds + 5) * 1000 });
        await PostAsync(runtime, agentId, "while away");
        await page.WaitForFunctionAsync("s => window.received.includes(s)", "while away", new() { Timeout = 10_000 });

        var received = await page.EvaluateAsync<string[]>("() => { window.stream.close(); return window.received; }");
        Assert.Equal(["while connected", "while away"], received);
        Assert.True(await page.EvaluateAsync<int>("() => window.opens") >= 2, "the helper did not reconnect");
    }

    private async Task<IPage> OpenDevServerAsync()
    {
        var page = await browser.NewPageAsync();
        var bundle = await File.ReadAllTextAsync(Path.Combine(WebTools.ConsoleDist, "platform-client.js"), Http.Ct);
        await page.RouteAsync($"{BrowserFixture.DevOrigin}/**", route => route.FulfillAsync(route.Request.Url.EndsWith("/platform-client.js", StringComparison.Ordinal)
            ? new RouteFulfillOptions { Status = 200, ContentType = "text/javascript", Body = bundle }
            : new RouteFulfillOptions { Status = 200, ContentType = "text/html", Body = Page }));
        await page.GotoAsync($"{BrowserFixture.DevOrigin}/");
        await page.WaitForFunctionAsync("() => window.platform !== undefined");
        return page;
    }

    private static Task PostAsync(HttpClient runtime, string agentId, string summary) =>
        runtime.PostAsync($"/api/v1/agents/{agentId}/activities", new { type = "task", summary }).ExpectAsync(HttpStatusCode.Created);
}
