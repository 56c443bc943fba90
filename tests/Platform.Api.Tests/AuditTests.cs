using System.Net;
using Platform.Data.Entities;

namespace Platform.Api.Tests;

public sealed class AuditTests(ApiFixture fixture)
{
    private const string UserAgent = "AuditTests/1.0";
    private readonly Scenario _scenario = new(fixture);

    private sealed record AuditRow(string ActorType, string ActorId, string TargetId, string Details, string Ip, string UserAgent);

    [Fact]
    public async Task Signup_writes_one_auth_signup_row_by_the_new_user_in_the_new_tenant()
    {
        var email = Scenario.NewEmail("audited");
        var body = await Client().PostAsync("/api/v1/auth/signup", new { companyName = "Audited Co", name = "Ann Audit", email, password = Scenario.Password })
            .ExpectAsync(HttpStatusCode.Created);
        var user = body.GetProperty("user");
        var tenantId = user.GetProperty("tenantId").GetGuid();

        Assert.Equal(1, await _scenario.AuditRowsAsync(tenantId, "auth.signup"));
        Assert.Equal(1, await _scenario.AuditRowsAsync(tenantId));
        var row = await LatestAsync(tenantId, "auth.signup");
        Assert.Equal(("user", user.Id().ToString(), tenantId.ToString()), (row.ActorType, row.ActorId, row.TargetId));
        Assert.Equal(("127.0.0.1", UserAgent), (row.Ip, row.UserAgent));
    }

    [Fact]
    public async Task Tenant_and_team_mutations_write_one_row_each_with_the_actor_and_target()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        var asAdmin = Client(admin.AccessToken);

        var updated = await ExpectOneRowAsync(tenantId, "tenant.updated", admin.UserId, tenantId,
            () => asAdmin.PatchAsync($"/api/v1/tenants/{tenantId}", new { companyName = "Renamed Co" }).ExpectAsync(HttpStatusCode.OK));
        Assert.Contains("companyName", updated.Details, StringComparison.Ordinal);

        var email = Scenario.NewEmail("invitee");
        var invite = default(System.Text.Json.JsonElement);
        await ExpectOneRowAsync(tenantId, "team.invite_created", admin.UserId, null,
            async () => invite = await asAdmin.PostAsync("/api/v1/team/invites", new { email, role = "tenant_member" }).ExpectAsync(HttpStatusCode.Created));
        Assert.Equal(invite.Id().ToString(), (await LatestAsync(tenantId, "team.invite_created")).TargetId);
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE details::text LIKE '%' || @token || '%'", ("token", invite.Str("token"))));

        var accepted = default(System.Text.Json.JsonElement);
        var acceptRow = await ExpectOneRowAsync(tenantId, "team.invite_accepted", null, invite.Id(),
            async () => accepted = await Client().PostAsync("/api/v1/invites/accept", new { token = invite.Str("token"), name = "Ivy", password = Scenario.Password })
                .ExpectAsync(HttpStatusCode.Created));
        var memberId = accepted.GetProperty("user").Id();
        Assert.Equal(("user", memberId.ToString()), (acceptRow.ActorType, acceptRow.ActorId));

        var roleRow = await ExpectOneRowAsync(tenantId, "team.member_role_changed", admin.UserId, memberId,
            () => asAdmin.PatchAsync($"/api/v1/team/members/{memberId}", new { role = "tenant_admin" }).ExpectAsync(HttpStatusCode.OK));
        Assert.Contains("role", roleRow.Details, StringComparison.Ordinal);

        await ExpectOneRowAsync(tenantId, "team.member_removed", admin.UserId, memberId,
            () => asAdmin.SendAsync("DELETE", $"/api/v1/team/members/{memberId}").ExpectAsync(HttpStatusCode.NoContent));

        var pending = await asAdmin.PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("revoked"), role = "tenant_member" })
            .ExpectAsync(HttpStatusCode.Created);
        await ExpectOneRowAsync(tenantId, "team.invite_revoked", admin.UserId, pending.Id(),
            () => asAdmin.SendAsync("DELETE", $"/api/v1/team/invites/{pending.Id()}").ExpectAsync(HttpStatusCode.NoContent));
    }

    [Fact]
    public async Task Api_key_creation_and_revocation_write_one_row_each_without_the_secret()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        var asAdmin = Client(admin.AccessToken);

        var created = default(System.Text.Json.JsonElement);
        await ExpectOneRowAsync(tenantId, "api_key.created", admin.UserId, null,
            async () => created = await asAdmin.PostAsync("/api/v1/api-keys", new { name = "ci", scopes = new[] { "agents:read" } }).ExpectAsync(HttpStatusCode.Created));
        var keyId = created.GetProperty("apiKey").Id();
        var secret = created.Str("key");
        Assert.Equal(keyId.ToString(), (await LatestAsync(tenantId, "api_key.created")).TargetId);
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE details::text LIKE '%' || @s || '%'", ("s", secret)));
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE details::text LIKE '%' || @s || '%'", ("s", secret[^20..])));

        await ExpectOneRowAsync(tenantId, "api_key.revoked", admin.UserId, keyId,
            () => asAdmin.SendAsync("DELETE", $"/api/v1/api-keys/{keyId}").ExpectAsync(HttpStatusCode.NoContent));
    }

    [Fact]
    public async Task Platform_tenant_creation_and_suspension_write_one_row_in_that_tenant()
    {
        var platform = await _scenario.PlatformAdminAsync();
        var asPlatform = Client(platform.AccessToken);

        var created = await asPlatform.PostAsync("/api/v1/tenants", new { companyName = "Platform Made", adminEmail = Scenario.NewEmail("owner"), plan = "growth" })
            .ExpectAsync(HttpStatusCode.Created);
        var tenantId = created.GetProperty("tenant").Id();
        Assert.Equal(1, await _scenario.AuditRowsAsync(tenantId, "tenant.created"));
        Assert.Equal(1, await _scenario.AuditRowsAsync(tenantId));
        var row = await LatestAsync(tenantId, "tenant.created");
        Assert.Equal((platform.UserId.ToString(), tenantId.ToString()), (row.ActorId, row.TargetId));
        var token = created.GetProperty("adminInvite").Str("token");
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE details::text LIKE '%' || @token || '%'", ("token", token)));

        await ExpectOneRowAsync(tenantId, "tenant.suspended", platform.UserId, tenantId,
            () => asPlatform.SendAsync("POST", $"/api/v1/tenants/{tenantId}/suspend").ExpectAsync(HttpStatusCode.OK));
    }

    [Fact]
    public async Task Deleting_a_tenant_writes_a_platform_row_and_leaves_nothing_of_the_tenant()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        await _scenario.AddMemberAsync(admin);
        await _scenario.CreateApiKeyAsync(admin, "agents:read");
        await Client(admin.AccessToken).PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("pending"), role = "tenant_member" })
            .ExpectAsync(HttpStatusCode.Created);
        await AddAgentAsync(tenantId);
        var platform = await _scenario.PlatformAdminAsync();
        const string DeletedRow = "SELECT count(*) FROM audit_logs WHERE action = 'tenant.deleted' AND target_id = @t AND tenant_id IS NULL AND actor_id = @a";

        Assert.Equal(0, await _scenario.CountAsync(DeletedRow, ("t", tenantId), ("a", platform.UserId)));
        await Client(platform.AccessToken).SendAsync("DELETE", $"/api/v1/tenants/{tenantId}").ExpectAsync(HttpStatusCode.NoContent);

        Assert.Equal(1, await _scenario.CountAsync(DeletedRow, ("t", tenantId), ("a", platform.UserId)));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE target_id = @t AND action = 'tenant.deleted'", ("t", tenantId)));
        foreach (var table in new[] { "users", "team_members", "team_invites", "api_keys", "agents", "agent_channels", "audit_logs" })
        {
            Assert.True(0 == await _scenario.CountAsync($"SELECT count(*) FROM {table} WHERE tenant_id = @t", ("t", tenantId)), $"{table} still references the tenant");
        }

        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM tenants WHERE id = @t", ("t", tenantId)));
        await Client(admin.AccessToken).GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Refused_mutations_write_no_row()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        var asAdmin = Client(admin.AccessToken);
        var invite = new { email = Scenario.NewEmail("twice"), role = "tenant_member" };
        await asAdmin.PostAsync("/api/v1/team/invites", invite).ExpectAsync(HttpStatusCode.Created);
        var before = await _scenario.AuditRowsAsync(tenantId);

        await asAdmin.PatchAsync($"/api/v1/team/members/{admin.UserId}", new { role = "tenant_member" }).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        await asAdmin.SendAsync("DELETE", $"/api/v1/team/members/{admin.UserId}").ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        await asAdmin.PostAsync("/api/v1/team/invites", invite with { email = invite.email.ToUpperInvariant() }).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");

        Assert.Equal(before, await _scenario.AuditRowsAsync(tenantId));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM team_members WHERE tenant_id = @t AND role = 'tenant_admin'", ("t", tenantId)));
    }

    private HttpClient Client(string? accessToken = null)
    {
        var client = fixture.Api.Client(accessToken);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        return client;
    }

    /// <summary>Runs the mutation; exactly one row of the action, and no other row, is added for the tenant.</summary>
    private async Task<AuditRow> ExpectOneRowAsync(Guid tenantId, string action, Guid? actorId, Guid? targetId, Func<Task> mutation)
    {
        var ofAction = await _scenario.AuditRowsAsync(tenantId, action);
        var total = await _scenario.AuditRowsAsync(tenantId);

        await mutation();

        Assert.Equal(ofAction + 1, await _scenario.AuditRowsAsync(tenantId, action));
        Assert.Equal(total + 1, await _scenario.AuditRowsAsync(tenantId));
        var row = await LatestAsync(tenantId, action);
        if (actorId is not null)
        {
            Assert.Equal(("user", actorId.ToString()), (row.ActorType, row.ActorId));
        }

        if (targetId is not null)
        {
            Assert.Equal(targetId.ToString(), row.TargetId);
        }

        Assert.Equal(("127.0.0.1", UserAgent), (row.Ip, row.UserAgent));
        return row;
    }

    private async Task<AuditRow> LatestAsync(Guid tenantId, string action)
    {
        var text = await fixture.TextAsync("""
            SELECT concat_ws(E'\t', actor_type, coalesce(actor_id::text, ''), coalesce(target_id::text, ''), coalesce(details::text, ''),
                             coalesce(host(ip_address), ''), coalesce(user_agent, ''))
            FROM audit_logs WHERE tenant_id = @t AND action = @a ORDER BY created_at DESC, id DESC LIMIT 1
            """, ("t", tenantId), ("a", action));
        var parts = (text ?? throw new InvalidOperationException($"no {action} row")).Split('\t');
        return new AuditRow(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
    }

    private async Task AddAgentAsync(Guid tenantId)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agent = new Agent { TenantId = tenantId, Name = "doomed-agent", Role = AgentRole.Pm, CreatedAt = now, UpdatedAt = now };
        db.Agents.Add(agent);
        db.AgentChannels.Add(new AgentChannel { TenantId = tenantId, AgentId = agent.Id, Type = ChannelType.Slack, Name = "#doomed", CreatedAt = now, UpdatedAt = now });
        await db.SaveChangesAsync(Http.Ct);
    }
}
