using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Tests.Support;

namespace Platform.Worker.Tests;

/// <summary>
/// The worker as deployed, a process of its own: health without an agent runtime and no S3, and the jobs dashboard
/// closed to all but platform admins.
/// </summary>
public sealed class WorkerHostTests(WorkerFixture fixture) : IAsyncLifetime
{
    private WorkerProcess? _worker;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _worker = await WorkerProcess.StartAsync(
            WorkerProcess.Settings(fixture.Database, $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}", "platform-audit"), Ct);

    [Fact]
    public async Task Health_is_ok_but_degraded_without_an_agent_runtime()
    {
        var health = await _worker!.WaitForHealthAsync(h => h.CheckStatus("hangfire") == "Healthy", "the Hangfire server to register", TimeSpan.FromSeconds(60), Ct);
        Assert.True(health.StatusCode == HttpStatusCode.OK && health.Status == "Degraded", health.Body);
        Assert.Equal("Degraded", health.CheckStatus("runtime"));
        Assert.Contains("Runtime:Backend=none", health.CheckDescription("runtime"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("tenant_admin", HttpStatusCode.Forbidden)]
    [InlineData("platform_admin", HttpStatusCode.OK)]
    public async Task The_jobs_dashboard_opens_only_for_platform_admins(string? role, HttpStatusCode expected)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_worker!.Port}") };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", Token(role));
        }

        using var response = await client.GetAsync("/hangfire", Ct);
        Assert.Equal(expected, response.StatusCode);
    }

    private static string Token(string role) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "platform",
        Audience = "platform-api",
        Expires = DateTime.UtcNow.AddMinutes(5),
        Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString()), new Claim("role", role)]),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(WorkerProcess.SigningKey)), SecurityAlgorithms.HmacSha256),
    });

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }
}
