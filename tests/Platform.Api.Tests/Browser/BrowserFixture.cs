using Microsoft.Playwright;
using Platform.Api.Tests.Web;

namespace Platform.Api.Tests.Browser;

/// <summary>
/// One headless Chromium per test class (the installed one: no browser download) and an API replica set up for browsers:
/// it serves the built console under /console, allows the documented dev origin and ends streams after a few seconds so a
/// dropped stream can be seen. It shares the assembly's PostgreSQL and Redis.
/// </summary>
public sealed class BrowserFixture(ApiFixture api) : IAsyncLifetime
{
    public const string DevOrigin = "http://localhost:5173";
    public const int StreamMaxDurationSeconds = 4;

    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CHROMIUM_BIN") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private ApiInstance? _api;
    private string? _missing;

    public ApiFixture Shared => api;

    public ApiInstance Api => _api!;

    public async ValueTask InitializeAsync()
    {
        var missing = new[] { ChromiumPath, Path.Combine(WebTools.ConsoleDist, "index.html"), Path.Combine(WebTools.ConsoleDist, "platform-client.js") }
            .Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            _missing = $"Missing {string.Join(", ", missing)}: install chromium and {WebTools.InstallHint}.";
            return;
        }

        _api = new ApiInstance(api.Database.AppConnectionString, api.Redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Console:Path"] = WebTools.ConsoleDist,
            ["Cors:AllowedOrigins"] = DevOrigin,
            ["Streams:MaxDurationSeconds"] = StreamMaxDurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Redis:CommandBudgetMilliseconds"] = "500",
        });
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            // No sandbox: the tests run as root. A page the test serves itself (route.FulfillAsync) has no address, so
            // Chromium's Local Network Access would treat it as public and block its requests to the loopback API; a real
            // dev server on localhost is itself local and never meets that check.
            ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"],
        });
        Assertions.SetDefaultExpectTimeout(10_000);
    }

    /// <summary>A fresh context (no cookies or storage shared between tests); skips, or fails in CI, without a browser.</summary>
    public async Task<IPage> NewPageAsync()
    {
        if (_missing is not null)
        {
            Assert.SkipWhen(Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_WEB_TOOLS") != "1", _missing);
            Assert.Fail(_missing);
        }

        var context = await _browser!.NewContextAsync();
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }
}
