using static Microsoft.Playwright.Assertions;

namespace Platform.Api.Tests.Browser;

/// <summary>The API reference page renders the document's operations in a real browser.</summary>
public sealed class ScalarTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_reference_page_lists_the_operations()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(browser.Api.BaseAddress, "/scalar/v1").ToString());
        await Expect(page.GetByText("Exchange email, password and (with MFA) a code for tokens.").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }
}
