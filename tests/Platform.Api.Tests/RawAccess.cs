using System.Text;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>Requests from (method, url, raw body) tables, and owner-side reads that see every row.</summary>
public static class RawAccess
{
    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, string method, string url, string? rawBody = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request, Http.Ct);
    }

    public static async Task<string?> TextAsync(this ApiFixture fixture, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(Http.Ct) is { } result and not DBNull ? result.ToString() : null;
    }

    /// <summary>
    /// Everything a tenant owns that a request could change (not <c>last_used_at</c> of keys, which a
    /// background flush updates): equal before and after means the request changed nothing.
    /// </summary>
    public static async Task<string> TenantFingerprintAsync(this ApiFixture fixture, Guid tenantId) =>
        await fixture.TextAsync("""
            SELECT concat_ws(E'\n',
              (SELECT concat_ws('|', company_name, admin_email, status, plan, model_defaults::text, resource_limits::text, updated_at) FROM tenants WHERE id = @t),
              (SELECT string_agg(concat_ws('|', id, email, name, role, password_hash, mfa_enabled, mfa_secret_encrypted, failed_login_count, locked_until, last_login_at, updated_at), ',' ORDER BY id) FROM users WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', user_id, role), ',' ORDER BY user_id) FROM team_members WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, email, role, status), ',' ORDER BY id) FROM team_invites WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, name, scopes::text, expires_at, revoked_at), ',' ORDER BY id) FROM api_keys WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', r.id, r.revoked_at), ',' ORDER BY r.id) FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE u.tenant_id = @t),
              'audit=' || (SELECT count(*) FROM audit_logs WHERE tenant_id = @t))
            """, ("t", tenantId)) ?? "";
}
