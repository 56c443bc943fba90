using System.Net;

namespace Platform.Api.Tests.Web;

/// <summary>The console is optional: without its folder the API starts as ever and /console does not exist.</summary>
public sealed class ConsoleHostingTests(ApiFixture fixture)
{
    [Fact]
    public async Task Without_Console_Path_there_is_no_console()
    {
        using var response = await fixture.Api.Client().GetAsync("/console/", Http.Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_Console_Path_without_a_build_leaves_the_API_serving_and_the_console_absent()
    {
        var missing = Path.Combine(Path.GetTempPath(), "platform-no-console-" + Guid.NewGuid().ToString("N"));
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["Console:Path"] = missing });

        using var console = await api.Client().GetAsync("/console/", Http.Ct);
        Assert.Equal(HttpStatusCode.NotFound, console.StatusCode);
        using var document = await api.Client().GetAsync("/openapi/v1.json", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }
}
