using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Platform.Data;
using Platform.Data.Hosting;

namespace Platform.Api.Tests;

/// <summary>The pool the API's contexts use: capped by default, the connection string's own size when it names one.</summary>
public sealed class ConnectionPoolTests
{
    private const string Server = "Host=127.0.0.1;Port=5432;Database=platform;Username=platform_app;Password=unused";

    [Theory]
    [InlineData(Server, -1)]
    [InlineData(Server + ";Maximum Pool Size=20", 20)]
    [InlineData(Server + ";MaxPoolSize=30", 30)]
    public void The_request_pool_defaults_to_four_connections_per_core_unless_the_connection_string_sets_its_size(string connectionString, int expected)
    {
        var (pool, readPool) = EffectiveConnections(connectionString, sessionStateFree: true);

        Assert.Equal(expected < 0 ? 4 * Environment.ProcessorCount : expected, pool.MaxPoolSize);
        Assert.True(pool.NoResetOnClose);

        // Long reads (the audit export) get a pool of their own when the request pool is capped by default.
        Assert.Equal(expected < 0 ? new NpgsqlConnectionStringBuilder().MaxPoolSize : expected, readPool.MaxPoolSize);
        Assert.Equal(expected < 0, pool.ConnectionString != readPool.ConnectionString);
    }

    [Fact]
    public void The_worker_keeps_the_connection_string_as_configured()
    {
        var (pool, _) = EffectiveConnections(Server, sessionStateFree: false);

        Assert.Equal(new NpgsqlConnectionStringBuilder().MaxPoolSize, pool.MaxPoolSize);
        Assert.False(pool.NoResetOnClose);
    }

    private static (NpgsqlConnectionStringBuilder Request, NpgsqlConnectionStringBuilder Read) EffectiveConnections(string connectionString, bool sessionStateFree)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:platformdb"] = connectionString });
        builder.AddPlatformData(exportsTelemetry: false, sessionStateFree);
        using var host = builder.Build();
        using var scope = host.Services.CreateScope();
        return (new(scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.GetConnectionString()),
            new(scope.ServiceProvider.GetRequiredService<PlatformReadDbContext>().Database.GetConnectionString()));
    }
}
