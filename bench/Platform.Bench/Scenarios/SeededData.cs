using System.Globalization;
using Npgsql;

namespace Platform.Bench.Scenarios;

/// <summary>Addresses into the shared seeded data set (<see cref="Seeder"/>), read as the owner.</summary>
internal static class SeededData
{
    /// <summary>The seeded tenant "Bench NNN" (1-based).</summary>
    public static Guid Tenant(BenchData data, int tenantNo) => data.TenantIds[tenantNo - 1];

    public static string UserEmail(int tenantNo, int userNo) => $"bench-user-{tenantNo}-{userNo}@bench.test";

    /// <summary>The first <paramref name="count"/> agents of a tenant (by name).</summary>
    public static async Task<IReadOnlyList<Guid>> AgentIdsAsync(BenchEnvironment environment, Guid tenantId, int count)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM agents WHERE tenant_id = @tenant ORDER BY name LIMIT @count", connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("count", count);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>A number (a count) from a statement with one <c>@tenant</c> parameter.</summary>
    public static async Task<long> ScalarAsync(BenchEnvironment environment, string sql, Guid tenantId)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
