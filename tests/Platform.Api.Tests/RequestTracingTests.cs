using System.Diagnostics;
using System.Net;
using OpenTelemetry;
using Platform.Api.Security;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// What the API's traces carry, through its real telemetry pipeline (issue #19): a request's span names the tenant and
/// the kind of caller, never a credential, and background polling exports no database span that starts a trace.
/// </summary>
public sealed class RequestTracingTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Request_spans_carry_the_tenant_and_the_kind_of_caller_and_background_polls_start_no_trace()
    {
        var admin = await _scenario.SignUpAsync();
        var key = await _scenario.CreateApiKeyAsync(admin, "agents:read");
        var platformAdmin = await _scenario.PlatformAdminAsync();
        using var spans = new SpanRecorder();
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}" },
            services: spans.AddTo);

        // As from a browser, with no trace context: the API's HTTP client instrumentation sees this process's requests
        // too, and would otherwise hand the API the client span it dropped as an unsampled parent, which the API follows.
        using (SuppressInstrumentationScope.Begin())
        {
            await api.Client(admin.AccessToken).GetAsync("/api/v1/agents", Http.Ct).ExpectAsync(HttpStatusCode.OK);
            await api.Client(apiKey: key).GetAsync("/api/v1/agents", Http.Ct).ExpectAsync(HttpStatusCode.OK);
            await api.Client(platformAdmin.AccessToken).GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        }

        // Longer than the security-change feed's poll interval: it polled meanwhile, as did the other background loops.
        await Task.Delay(TimeSpan.FromSeconds(3), Http.Ct);
        var mine = await RequestSpansAsync(spans, api.Port, 3);

        var tenant = admin.TenantId!.Value.ToString();
        Assert.Single(mine, s => Tag(s, RequestSpanTags.ActorType) == "user" && Tag(s, RequestSpanTags.TenantId) == tenant);
        Assert.Single(mine, s => Tag(s, RequestSpanTags.ActorType) == "api_key" && Tag(s, RequestSpanTags.TenantId) == tenant);
        Assert.Single(mine, s => Tag(s, RequestSpanTags.ActorType) == "platform_admin" && Tag(s, RequestSpanTags.TenantId) is null);

        var credentials = new[] { admin.AccessToken, key, platformAdmin.AccessToken };
        Assert.All(spans.Spans.SelectMany(s => s.TagObjects), tag =>
            Assert.DoesNotContain(credentials, c => tag.Value?.ToString()?.Contains(c, StringComparison.Ordinal) == true));

        var roots = spans.Spans.Where(s => s.Kind == ActivityKind.Client && s.ParentSpanId == default).ToList();
        Assert.True(roots.Count == 0, "Client spans that start a trace:\n" + SpanRecorder.Describe(roots));
    }

    /// <summary>The server spans of requests to this API; a span ends just after its response is sent, so they are waited for.</summary>
    private static async Task<List<Activity>> RequestSpansAsync(SpanRecorder spans, int port, int expected)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            List<Activity> mine = [.. spans.Spans.Where(s => s.Kind == ActivityKind.Server && s.GetTagItem("server.port") is int p && p == port)];
            if (mine.Count >= expected || watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                return mine;
            }

            await Task.Delay(100, Http.Ct);
        }
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name) as string;
}
