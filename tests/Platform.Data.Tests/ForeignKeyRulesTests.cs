using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Tenancy;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

/// <summary>
/// Every foreign key's ON DELETE rule, decided here: the schema must have exactly these, and each one is shown by a real
/// DELETE of the referenced row by the application role with row-level security on, in the scope the product deletes
/// that row in (skills, which that role may not delete, by the owner). Hangfire's own schema is not ours and is left out.
/// </summary>
public sealed class ForeignKeyRulesTests(SharedPostgres postgres)
{
    private const string Cascade = "CASCADE";
    private const string SetNull = "SET NULL";

    /// <summary>table.column → (referenced table, rule). The spec's rules, then our extra tables'.</summary>
    private static readonly Dictionary<string, (string References, string OnDelete)> Rules = new()
    {
        ["users.tenant_id"] = ("tenants", Cascade),
        ["agents.tenant_id"] = ("tenants", Cascade),
        ["refresh_tokens.user_id"] = ("users", Cascade),
        ["refresh_tokens.replaced_by_id"] = ("refresh_tokens", SetNull),
        ["api_keys.tenant_id"] = ("tenants", Cascade),
        ["api_keys.created_by_user_id"] = ("users", SetNull),
        ["api_keys.agent_id"] = ("agents", Cascade),
        ["team_members.tenant_id"] = ("tenants", Cascade),
        ["team_members.user_id"] = ("users", Cascade),
        ["team_invites.tenant_id"] = ("tenants", Cascade),
        ["team_invites.invited_by_user_id"] = ("users", SetNull),
        ["agent_channels.tenant_id"] = ("tenants", Cascade),
        ["agent_channels.agent_id"] = ("agents", Cascade),
        ["agent_activities.tenant_id"] = ("tenants", Cascade),
        ["agent_activities.agent_id"] = ("agents", Cascade),
        ["agent_metrics.tenant_id"] = ("tenants", Cascade),
        ["agent_metrics.agent_id"] = ("agents", Cascade),
        ["skill_installations.tenant_id"] = ("tenants", Cascade),
        ["skill_installations.agent_id"] = ("agents", Cascade),
        ["skill_installations.skill_id"] = ("skills", Cascade),
        ["skill_installations.installed_by_user_id"] = ("users", SetNull),
        ["container_health.tenant_id"] = ("tenants", Cascade),
        ["container_health.agent_id"] = ("agents", Cascade),
        ["alerts.tenant_id"] = ("tenants", Cascade),
        ["alerts.agent_id"] = ("agents", SetNull),
        ["alerts.acknowledged_by_user_id"] = ("users", SetNull),
        ["audit_logs.tenant_id"] = ("tenants", Cascade),

        ["skill_ratings.tenant_id"] = ("tenants", Cascade),
        ["skill_ratings.skill_id"] = ("skills", Cascade),
        ["skill_ratings.user_id"] = ("users", Cascade),
        ["access_tickets.tenant_id"] = ("tenants", Cascade),
        ["access_tickets.user_id"] = ("users", Cascade),
        ["access_tickets.api_key_id"] = ("api_keys", Cascade),
        ["webhooks.tenant_id"] = ("tenants", Cascade),
        ["webhook_events.tenant_id"] = ("tenants", Cascade),
        ["webhook_deliveries.tenant_id"] = ("tenants", Cascade),
        ["webhook_deliveries.webhook_id"] = ("webhooks", Cascade),
        ["webhook_deliveries.event_id"] = ("webhook_events", Cascade),
        ["webhook_attempts.tenant_id"] = ("tenants", Cascade),
        ["webhook_attempts.delivery_id"] = ("webhook_deliveries", Cascade),
    };

    /// <summary>
    /// Rows a tenant's own request deletes (a member, an agent, a key, a webhook) are deleted in its scope; the rest by a
    /// platform admin (tenants) or a platform-scoped retention job (tokens, webhook events and deliveries).
    /// </summary>
    private static readonly HashSet<string> DeletedInTenantScope = ["users", "agents", "api_keys", "webhooks"];

    /// <summary>
    /// Rows the application role may not delete at all: the product retires a skill by status, and a skill's cascade runs
    /// as the table owner past RLS, so only the owner (the Migrator's role, an operator) deletes one.
    /// </summary>
    private static readonly HashSet<string> DeletedByOwnerOnly = ["skills"];

    public static TheoryData<string> ForeignKeys => [.. Rules.Keys.Order(StringComparer.Ordinal)];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_foreign_key_has_exactly_the_rule_decided_for_it()
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT c.conrelid::regclass::text || '.' || string_agg(a.attname::text, ',' ORDER BY a.attnum),
                   c.confrelid::regclass::text,
                   CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT'
                                      WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END
            FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
            GROUP BY c.oid, c.conrelid, c.confrelid, c.confdeltype
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var actual = new Dictionary<string, (string, string)>();
        while (await reader.ReadAsync(Ct))
        {
            actual.Add(reader.GetString(0), (reader.GetString(1), reader.GetString(2)));
        }

        var undecided = actual.Keys.Except(Rules.Keys).Select(k => $"{k} -> {actual[k]}").ToList();
        Assert.True(undecided.Count == 0, "foreign keys without a decided ON DELETE rule (add them to Rules and test them): " + string.Join("; ", undecided));
        Assert.Empty(Rules.Keys.Except(actual.Keys));
        Assert.All(Rules, rule => Assert.Equal((rule.Key, rule.Value), (rule.Key, actual[rule.Key])));
    }

    [Theory]
    [MemberData(nameof(ForeignKeys))]
    public async Task Deleting_the_referenced_row_applies_the_rule(string foreignKey)
    {
        var (references, onDelete) = Rules[foreignKey];
        var (table, column) = (foreignKey.Split('.')[0], foreignKey.Split('.')[1]);
        var graph = await TenantGraph.CreateAsync(postgres.Database, Ct);
        var child = graph.Row(table, column);
        var parent = await ReadReferenceAsync(table, column, child);
        Assert.NotNull(parent);

        var scope = DeletedInTenantScope.Contains(references) ? TenantContext.ForTenant(graph.TenantId) : TenantContext.ForPlatform();
        // The table name comes from the rules above, never from input.
        var delete = "DELETE FROM " + references + " WHERE id = {0}";
        await using (var db = DeletedByOwnerOnly.Contains(references) ? postgres.Database.CreateOwnerContext() : postgres.Database.CreateAppContext(scope))
        {
            Assert.Equal(1, await db.Database.ExecuteSqlRawAsync(delete, [parent.Value], Ct));
        }

        if (onDelete == Cascade)
        {
            Assert.False(await ExistsAsync(table, child), $"{table} row {child} outlived its {references} row");
        }
        else
        {
            Assert.True(await ExistsAsync(table, child), $"{table} row {child} went with its {references} row");
            Assert.Null(await ReadReferenceAsync(table, column, child));
        }
    }

    private async Task<Guid?> ReadReferenceAsync(string table, string column, Guid id)
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"SELECT {column} FROM {table} WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        var value = await command.ExecuteScalarAsync(Ct);
        return value is Guid guid ? guid : null;
    }

    private async Task<bool> ExistsAsync(string table, Guid id)
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = @id)", connection);
        command.Parameters.AddWithValue("id", id);
        return (bool)(await command.ExecuteScalarAsync(Ct))!;
    }
}
