using Npgsql;
using Platform.Tests.Support;

namespace Platform.Bench;

/// <summary>
/// Everything a scenario needs, on loopback and torn down at the end: PostgreSQL (migrated, seeded
/// once), Redis, and Release builds of the API, the worker and a bare Kestrel reference app.
/// A Docker engine is used when DOCKER_HOST is set (bench/run.sh starts one as root).
/// </summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private BenchData? _data;

    private BenchEnvironment(LocalPostgres postgres, LocalRedis redis, PlatformDatabase database)
    {
        Postgres = postgres;
        Redis = redis;
        Database = database;
    }

    public static string RepositoryRoot { get; } = FindRoot();

    public LocalPostgres Postgres { get; }

    public LocalRedis Redis { get; }

    public PlatformDatabase Database { get; }

    public string? DockerHost => Environment.GetEnvironmentVariable("DOCKER_HOST");

    public static async Task<BenchEnvironment> StartAsync()
    {
        var postgres = await LocalPostgres.StartAsync();
        var redis = await LocalRedis.StartAsync();
        var database = await PlatformDatabase.CreateAsync(postgres, "platform");
        return new BenchEnvironment(postgres, redis, database);
    }

    /// <summary>The realistic data set (100 tenants, 10,000 agents with 2 channels, 1 M audit rows, 1 M expired tokens), seeded once.</summary>
    public async Task<BenchData> DataAsync() => _data ??= await Seeder.SeedAsync(Database);

    /// <summary>Starts the Release build of the API (published once) against this environment's servers.</summary>
    public async Task<ReleaseProcess> StartApiAsync(IDictionary<string, string>? settings = null, string? outputLog = null)
    {
        var environment = new Dictionary<string, string>
        {
            // As Aspire's connection string: no pool size of its own, so the API's default applies.
            ["ConnectionStrings__platformdb"] = WithoutPoolSize(Database.AppConnectionString),
            ["ConnectionStrings__redis"] = Redis.ConnectionString,
            ["Jwt__SigningKey"] = BenchData.SigningKey,
            ["AbuseLimits__LoginPerIp"] = "100000",
            ["AbuseLimits__LoginPerAccount"] = "100000",
            ["AbuseLimits__RefreshPerIp"] = "100000",
            ["AbuseLimits__SignupPerIp"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        return await StartOwnedAsync("src/Platform.Api", "Platform.Api.dll", environment, settings, outputLog);
    }

    internal static string WithoutPoolSize(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Remove("Maximum Pool Size");
        return builder.ConnectionString;
    }

    /// <summary>
    /// Starts the Release build of the worker (published once) against this environment's PostgreSQL (it uses no
    /// Redis); <paramref name="settings"/> add the archive, Docker and job schedule settings a run needs.
    /// </summary>
    public async Task<ReleaseProcess> StartWorkerAsync(IDictionary<string, string>? settings = null, string? outputLog = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__platformdb"] = Database.AppConnectionString,
            ["Jwt__SigningKey"] = BenchData.SigningKey,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        return await StartOwnedAsync("src/Platform.Worker", "Platform.Worker.dll", environment, settings, outputLog);
    }

    private async Task<ReleaseProcess> StartOwnedAsync(
        string project, string dll, Dictionary<string, string> environment, IDictionary<string, string>? settings, string? outputLog)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var process = await ReleaseProcess.StartAsync(project, dll, environment, outputLog);
        _owned.Add(process);
        return process;
    }

    /// <summary>Starts the bare Kestrel reference app (bench/BareKestrel) that serves a fixed JSON body from memory.</summary>
    public async Task<ReleaseProcess> StartBareKestrelAsync(string jsonBody)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bench-body-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, jsonBody);
        var process = await ReleaseProcess.StartAsync("bench/BareKestrel", "BareKestrel.dll", new Dictionary<string, string> { ["BODY_FILE"] = path });
        _owned.Add(process);
        return process;
    }

    public NpgsqlConnection OwnerConnection() => new(Database.OwnerConnectionString);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found");
    }
}
