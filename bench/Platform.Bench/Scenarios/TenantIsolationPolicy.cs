namespace Platform.Bench.Scenarios;

/// <summary>
/// The tenant_isolation row-level security policy: DatabaseSecurity's predicate, and a candidate (not the product)
/// with each function in a scalar subquery, an InitPlan that PostgreSQL evaluates once per statement instead of once per row.
/// </summary>
internal static class TenantIsolationPolicy
{
    public const string Product = "tenant_id = app_current_tenant_id() OR app_is_platform_admin()";

    public const string Candidate = "(SELECT app_is_platform_admin()) OR tenant_id = (SELECT app_current_tenant_id())";

    /// <summary>Sets the predicate of a table's policy; only ever in a scenario's own database.</summary>
    public static Task SetAsync(string ownerConnectionString, string table, string predicate) =>
        Sql.ExecuteAsync(ownerConnectionString, $"ALTER POLICY tenant_isolation ON {table} USING ({predicate}) WITH CHECK ({predicate})");
}
