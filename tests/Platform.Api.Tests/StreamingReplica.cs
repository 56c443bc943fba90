using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// A hot standby of the assembly's PostgreSQL and two APIs that read reports from it, made once, on first use: one
/// that tolerates any lag (to see what the replica serves while replay is paused) and one with a one-second limit.
/// Only <see cref="ReplicaRoutingTests"/> uses them; its tests run one after the other.
/// </summary>
public sealed class StreamingReplica : IAsyncDisposable
{
    public static readonly TimeSpan StrictLag = TimeSpan.FromSeconds(1);

    private StreamingReplica(PostgresStandby standby, ApiInstance patient, ApiInstance strict)
    {
        Standby = standby;
        Patient = patient;
        Strict = strict;
    }

    public PostgresStandby Standby { get; }

    /// <summary>Reads from the replica however far behind it is, while it answers.</summary>
    public ApiInstance Patient { get; }

    /// <summary>Falls back to the primary once the replica lags more than <see cref="StrictLag"/>.</summary>
    public ApiInstance Strict { get; }

    public static async Task<StreamingReplica> StartAsync(ApiFixture fixture)
    {
        var standby = await PostgresStandby.StartAsync(fixture.Database.Server);
        var replica = standby.ConnectionString(fixture.Database.Name, PlatformDatabase.AppRole, PlatformDatabase.AppRolePassword);
        ApiInstance Api(TimeSpan maxLag) => new(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString, new Dictionary<string, string?>
        {
            ["ConnectionStrings:platformdb-read"] = replica,
            ["Data:MaxReplicaLag"] = maxLag.ToString("c"),
            ["Data:ReplicaProbeInterval"] = "00:00:00.200",
            ["Redis:CommandBudgetMilliseconds"] = "500",
        });
        return new StreamingReplica(standby, Api(TimeSpan.FromHours(1)), Api(StrictLag));
    }

    public async ValueTask DisposeAsync()
    {
        await Patient.DisposeAsync();
        await Strict.DisposeAsync();
        await Standby.DisposeAsync();
    }
}
