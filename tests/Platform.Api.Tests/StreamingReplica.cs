using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// A hot standby of the assembly's PostgreSQL and two APIs that read reports from it: one that tolerates any lag (to see
/// what the replica serves while replay is paused) and one with a one-second limit. The fixture of
/// <see cref="ReplicaRoutingTests"/> alone, so the standby replays the shared server's WAL only while they run.
/// </summary>
public sealed class StreamingReplica(ApiFixture fixture) : IAsyncLifetime
{
    public static readonly TimeSpan StrictLag = TimeSpan.FromSeconds(1);

    public PostgresStandby Standby { get; private set; } = null!;

    /// <summary>Reads from the replica however far behind it is, while it answers.</summary>
    public ApiInstance Patient { get; private set; } = null!;

    /// <summary>Falls back to the primary once the replica lags more than <see cref="StrictLag"/>.</summary>
    public ApiInstance Strict { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Standby = await PostgresStandby.StartAsync(fixture.Database.Server);
        (Patient, Strict) = (CreateApi(TimeSpan.FromHours(1)), CreateApi(StrictLag));
    }

    /// <summary>An API reading reports from the standby, probing it every <paramref name="probeInterval"/> (the first probe at start).</summary>
    public ApiInstance CreateApi(TimeSpan maxLag, TimeSpan? probeInterval = null) =>
        new(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString, new Dictionary<string, string?>
        {
            ["ConnectionStrings:platformdb-read"] = Standby.ConnectionString(fixture.Database.Name, PlatformDatabase.AppRole, PlatformDatabase.AppRolePassword),
            ["Data:MaxReplicaLag"] = maxLag.ToString("c"),
            ["Data:ReplicaProbeInterval"] = (probeInterval ?? TimeSpan.FromMilliseconds(200)).ToString("c"),
            ["Redis:CommandBudgetMilliseconds"] = "500",
        });

    public async ValueTask DisposeAsync()
    {
        await Patient.DisposeAsync();
        await Strict.DisposeAsync();
        await Standby.DisposeAsync();
    }
}
