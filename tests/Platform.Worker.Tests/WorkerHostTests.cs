using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Worker.Tests;

/// <summary>The worker as deployed: health with Docker polling off, and the jobs dashboard closed to all but platform admins.</summary>
public sealed class WorkerHostTests(WorkerFixture fixture) : IAsyncLifetime
{
    private const string SigningKey = "worker-test-signing-key-0123456789-abcdefghijklmnop";
    private WorkerHost? _worker;

    public ValueTask InitializeAsync()
    {
        _worker = new WorkerHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:platformdb"] = fixture.Database.AppConnectionString,
            ["Jwt:SigningKey"] = SigningKey,
            ["Docker:Enabled"] = "false",
            ["Archive:ServiceUrl"] = "http://127.0.0.1:9",
        });
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Health_is_ok_but_degraded_when_docker_polling_is_off()
    {
        using var client = _worker!.CreateClient();
        using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"Degraded\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("tenant_admin", HttpStatusCode.Forbidden)]
    [InlineData("platform_admin", HttpStatusCode.OK)]
    public async Task The_jobs_dashboard_opens_only_for_platform_admins(string? role, HttpStatusCode expected)
    {
        using var client = _worker!.CreateClient();
        if (role is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", Token(role));
        }

        using var response = await client.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        Assert.Equal(expected, response.StatusCode);
    }

    private static string Token(string role) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "platform",
        Audience = "platform-api",
        Expires = DateTime.UtcNow.AddMinutes(5),
        Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString()), new Claim("role", role)]),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
    });

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    private sealed class WorkerHost(Dictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
