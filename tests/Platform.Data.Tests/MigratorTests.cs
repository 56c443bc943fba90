using Npgsql;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

public sealed class MigratorTests(SharedPostgres postgres)
{
    private static readonly string[] SeededTables =
        ["users", "tenants", "team_members", "agents", "agent_channels", "skills"];

    [Fact]
    public async Task Running_the_migrator_twice_changes_nothing()
    {
        var database = await PlatformDatabase.CreateAsync(postgres.Server);
        var first = await CountsAsync(database);
        Assert.Equal(3, first["users"]);
        Assert.Equal(1, first["tenants"]);
        Assert.Equal(3, first["agents"]);
        Assert.Equal(3, first["agent_channels"]);
        Assert.True(first["skills"] >= 8);

        await database.MigrateAsync();

        Assert.Equal(first, await CountsAsync(database));
    }

    [Fact]
    public async Task The_seed_covers_every_skill_category_with_published_skills()
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(DISTINCT category) FROM skills WHERE status = 'published'", connection);
        Assert.Equal(4L, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<Dictionary<string, long>> CountsAsync(PlatformDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        var counts = new Dictionary<string, long>();
        foreach (var table in SeededTables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
            counts[table] = (long)(await command.ExecuteScalarAsync())!;
        }

        return counts;
    }
}
