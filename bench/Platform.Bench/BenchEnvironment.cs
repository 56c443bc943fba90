namespace Platform.Bench;

/// <summary>
/// Everything a scenario needs, on loopback and torn down at the end: PostgreSQL (migrated, seeded once), Redis, and
/// Release builds of the API, the worker and the reference apps. A Docker engine is used when DOCKER_HOST is set
/// (bench/run.sh starts one as root).
/// </summary>
public sealed class BenchEnvironment(LocalPostgres postgres, LocalRedis redis, PlatformDatabase database) : IAsyncDisposable
{
    private readonly List<ReleaseProcess> _owned = [];
    private BenchData? _data;

    public LocalPostgres Postgres => postgres;
    public PlatformDatabase Database => database;

    public string? DockerHost => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : null;

    public static async Task<BenchEnvironment> StartAsync()
    {
        var postgres = await LocalPostgres.StartAsync();
        return new BenchEnvironment(postgres, await LocalRedis.StartAsync(), await PlatformDatabase.CreateAsync(postgres, "platform"));
    }

    public async Task<BenchData> DataAsync() => _data ??= await Seeder.SeedAsync(Database);

    /// <summary>What the API and the reference API are given: this environment's servers (as Aspire passes them: no pool size).</summary>
    public Dictionary<string, string> ApiSettings() => new()
    {
        ["ConnectionStrings__platformdb"] = WithoutPoolSize(Database.AppConnectionString),
        ["ConnectionStrings__redis"] = redis.ConnectionString,
        ["Jwt__SigningKey"] = BenchData.SigningKey,
        ["DataProtection__Certificate"] = TestCertificates.DataProtectionPfxBase64,
        ["AbuseLimits__LoginPerIp"] = "100000",
        ["AbuseLimits__LoginPerAccount"] = "100000",
        ["AbuseLimits__RefreshPerIp"] = "100000",
        ["AbuseLimits__SignupPerIp"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public Task<ReleaseProcess> StartApiAsync(IDictionary<string, string>? settings = null, string? outputLog = null) =>
        StartAsync("src/Platform.Api", "Platform.Api.dll", Merge(ApiSettings(), settings), outputLog);

    /// <summary>The Release build of the API on a scenario's own database (<paramref name="appConnectionString"/>: its application role).</summary>
    public Task<ReleaseProcess> StartApiOnAsync(string appConnectionString, IDictionary<string, string>? settings = null) =>
        StartApiAsync(Merge(new() { ["ConnectionStrings__platformdb"] = WithoutPoolSize(appConnectionString) }, settings));

    /// <summary>The Release build of the worker against this PostgreSQL; <paramref name="settings"/> add archive, Docker and schedules.</summary>
    public Task<ReleaseProcess> StartWorkerAsync(IDictionary<string, string>? settings = null, string? outputLog = null) =>
        StartAsync("src/Platform.Worker", "Platform.Worker.dll", Merge(new()
        {
            ["ConnectionStrings__platformdb"] = Database.AppConnectionString,
            ["Jwt__SigningKey"] = BenchData.SigningKey,
            ["DataProtection__Certificate"] = TestCertificates.DataProtectionPfxBase64,
            ["Logging__LogLevel__Default"] = "Warning",
        }, settings), outputLog);

    /// <summary>P8's reference: a minimal API on the same stack (bench/ReferenceApi), started as the API is.</summary>
    public Task<ReleaseProcess> StartReferenceApiAsync() => StartAsync("bench/ReferenceApi", "ReferenceApi.dll", ApiSettings(), null);

    public async Task<ReleaseProcess> StartBareKestrelAsync(string jsonBody)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bench-body-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, jsonBody);
        return await StartAsync("bench/BareKestrel", "BareKestrel.dll", new() { ["BODY_FILE"] = path }, null);
    }

    public static Dictionary<string, string> ArchiveSettings(LocalS3 s3, string bucket) => new()
    {
        ["Archive__ServiceUrl"] = s3.ServiceUrl,
        ["Archive__Bucket"] = bucket,
        ["Archive__AccessKey"] = LocalS3.AccessKey,
        ["Archive__SecretKey"] = LocalS3.SecretKey,
    };

    public static string WithoutPoolSize(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Remove("Maximum Pool Size");
        return builder.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned)) await owned.DisposeAsync();

        await redis.DisposeAsync();
        await postgres.DisposeAsync();
    }

    private async Task<ReleaseProcess> StartAsync(string project, string dll, Dictionary<string, string> environment, string? outputLog)
    {
        var process = await ReleaseProcess.StartAsync(project, dll, environment, outputLog);
        _owned.Add(process);
        return process;
    }

    private static Dictionary<string, string> Merge(Dictionary<string, string> environment, IDictionary<string, string>? settings)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;

        return environment;
    }
}
