using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// One PostgreSQL (migrated), one Redis and one API for the whole assembly; a second API replica on
/// the same servers is created on demand. Tests isolate themselves by signing up their own tenants.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime, IScenarioHost
{
    private LocalPostgres? _postgres;
    private LocalRedis? _redis;
    private ApiInstance? _api;
    private readonly Lazy<ApiInstance> _secondReplica;

    public ApiFixture() => _secondReplica = new(() => new ApiInstance(Database.AppConnectionString, Redis.ConnectionString));

    public PlatformDatabase Database { get; private set; } = null!;

    public LocalRedis Redis => _redis!;

    public ApiInstance Api => _api!;

    public string OwnerConnectionString => Database.OwnerConnectionString;

    public ApiInstance SecondReplica => _secondReplica.Value;

    public async ValueTask InitializeAsync()
    {
        _postgres = await LocalPostgres.StartAsync();
        _redis = await LocalRedis.StartAsync();
        Database = await PlatformDatabase.CreateAsync(_postgres, "platform");
        _api = new ApiInstance(Database.AppConnectionString, _redis.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_secondReplica.IsValueCreated)
        {
            await _secondReplica.Value.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
