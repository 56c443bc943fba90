using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// Servers of their own for the tests that stop them: PostgreSQL, a Redis that is stopped and started again, and two
/// API replicas. Nothing else runs on them, so a fault here never reaches another test class.
/// </summary>
public sealed class OutageFixture : IAsyncLifetime
{
    private LocalPostgres? _postgres;

    public PlatformDatabase Database { get; private set; } = null!;

    public LocalRedis Redis { get; private set; } = null!;

    public ApiInstance Api { get; private set; } = null!;

    public ApiInstance SecondReplica { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await LocalPostgres.StartAsync();
        Redis = await LocalRedis.StartAsync();
        Database = await PlatformDatabase.CreateAsync(_postgres, "platform");
        Api = NewApi();
        SecondReplica = NewApi();
    }

    public ApiInstance NewApi() => new(Database.AppConnectionString, Redis.ConnectionString);

    /// <summary>Replaces the first replica by a fresh process-equivalent: a new host on the same servers.</summary>
    public async Task RestartApiAsync()
    {
        await Api.DisposeAsync();
        Api = NewApi();
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await SecondReplica.DisposeAsync();
        await Redis.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
