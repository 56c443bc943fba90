namespace Platform.Bench.Scenarios;

/// <summary>
/// The tenant_isolation row-level security policy: DatabaseSecurity's predicate (each setting read once per statement,
/// as an InitPlan), and the previous one, which called the functions once per row, for comparison in diagnoses.
/// </summary>
internal static class TenantIsolationPolicy
{
    public const string Product = "(SELECT app_is_platform_admin()) OR tenant_id = (SELECT app_current_tenant_id())";

    public const string Previous = "tenant_id = app_current_tenant_id() OR app_is_platform_admin()";

    /// <summary>Sets the predicate of a table's policy; only ever in a scenario's own database.</summary>
    public static Task SetAsync(string ownerConnectionString, string table, string predicate) =>
        Sql.ExecuteAsync(ownerConnectionString, $"ALTER POLICY tenant_isolation ON {table} USING ({predicate}) WITH CHECK ({predicate})");
}
