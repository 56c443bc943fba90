using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>The real API on Kestrel on a loopback port, configured like production apart from the servers it points at.</summary>
public sealed class ApiInstance : WebApplicationFactory<Program>
{
    public const string SigningKey = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";

    /// <summary>The model providers every test API hands to agent runtimes (never real credentials).</summary>
    public const string AnthropicKey = "sk-ant-test-key-0123456789abcdef";
    public const string OpenAiKey = "sk-openai-test-key-fedcba9876543210";
    public const string OpenAiBaseUrl = "https://models.example.test/v1";
    private readonly Dictionary<string, string?> _settings;

    private readonly string _environment;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Extra registrations after the API's own (a test's log capture, say).</param>
    public ApiInstance(
        string databaseConnection, string redisConnection, IDictionary<string, string?>? overrides = null, string environment = "Testing",
        Action<IServiceCollection>? services = null)
    {
        _environment = environment;
        _services = services;
        Port = ServerProcess.FreeTcpPort();
        _settings = new()
        {
            ["ConnectionStrings:platformdb"] = databaseConnection,
            ["ConnectionStrings:redis"] = redisConnection,
            ["Jwt:SigningKey"] = SigningKey,
            ["DataProtection:Certificate"] = TestCertificates.DataProtectionPfxBase64,
            ["ModelProviders:anthropic:ApiKey"] = AnthropicKey,
            ["ModelProviders:openai:ApiKey"] = OpenAiKey,
            ["ModelProviders:openai:BaseUrl"] = OpenAiBaseUrl,
            ["AbuseLimits:SignupPerIp"] = "100000",
            ["AbuseLimits:LoginPerIp"] = "100000",
            ["AbuseLimits:LoginPerAccount"] = "1000",
            ["AbuseLimits:RefreshPerIp"] = "100000",
            ["AbuseLimits:InviteAcceptPerIp"] = "100000",
            ["AbuseLimits:InviteAcceptPerToken"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(Port);
        StartServer();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public HttpClient Client(string? accessToken = null, string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
