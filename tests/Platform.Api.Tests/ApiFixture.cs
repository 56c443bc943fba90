using Microsoft.Extensions.DependencyInjection;
using Platform.Runtime;
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

    private readonly Lazy<ApiInstance> _runtimeApi;

    public ApiFixture()
    {
        _secondReplica = new(() => new ApiInstance(Database.AppConnectionString, Redis.ConnectionString, SharedReplicaSettings));
        _runtimeApi = new(() => new ApiInstance(Database.AppConnectionString, Redis.ConnectionString, RuntimeSettings()));
    }

    public PlatformDatabase Database { get; private set; } = null!;

    public LocalRedis Redis => _redis!;

    public ApiInstance Api => _api!;

    public string OwnerConnectionString => Database.OwnerConnectionString;

    public ApiInstance SecondReplica => _secondReplica.Value;

    /// <summary>
    /// The shared replicas run beside every other test on two busy cores, where a Redis answer can wait longer than the
    /// production budget for a thread: a spurious fallback would make the exact-limit tests flaky. The outage tests keep
    /// the production budget (<see cref="OutageFixture"/>).
    /// </summary>
    public static Dictionary<string, string?> SharedReplicaSettings => new() { ["Redis:CommandBudgetMilliseconds"] = "500" };

    /// <summary>A replica that reaches the test run's Docker engine as its agent runtime, in a scope of its own (call <see cref="RuntimeEngine.RequireAsync"/> first).</summary>
    public ApiInstance RuntimeApi => _runtimeApi.Value;

    public string RuntimeScope { get; } = "api-tests-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The runtime settings of <see cref="RuntimeApi"/>, for a test that needs a replica of its own.</summary>
    public Dictionary<string, string?> RuntimeSettings(string? image = null) => new()
    {
        ["Runtime:Backend"] = "engine",
        ["Runtime:Endpoint"] = RuntimeEngine.Endpoint,
        ["Runtime:Scope"] = RuntimeScope,
        ["Runtime:AgentImage"] = image ?? RuntimeEngine.TalkingImage,
        ["Runtime:StopGracePeriodSeconds"] = "2",
    };

    public async ValueTask InitializeAsync()
    {
        _postgres = await LocalPostgres.StartAsync();
        _redis = await LocalRedis.StartAsync();
        Database = await PlatformDatabase.CreateAsync(_postgres, "platform");
        _api = new ApiInstance(Database.AppConnectionString, _redis.ConnectionString, SharedReplicaSettings);
    }

    private static async Task RemoveWorkloadsAsync(ApiInstance api)
    {
        var runtime = api.Services.GetRequiredService<IAgentRuntime>();
        foreach (var workload in await runtime.ListAsync(CancellationToken.None))
        {
            await runtime.RemoveAsync(workload.Id, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_secondReplica.IsValueCreated)
        {
            await _secondReplica.Value.DisposeAsync();
        }

        try
        {
            if (_runtimeApi.IsValueCreated)
            {
                try
                {
                    await RemoveWorkloadsAsync(_runtimeApi.Value);
                }
                finally
                {
                    await _runtimeApi.Value.DisposeAsync();
                }
            }

            if (_api is not null)
            {
                await _api.DisposeAsync();
            }
        }
        finally
        {
            // The servers go even when the engine cannot be reached to clean up: no orphaned PostgreSQL or Redis.
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
}
