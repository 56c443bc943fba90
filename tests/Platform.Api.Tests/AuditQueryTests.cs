using System.Net;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Platform.Api.Tests;

public sealed class AuditQueryTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Export_streams_exactly_the_filtered_rows_as_ndjson()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        await InsertAuditRowsAsync(tenantId, 10_000, "bulk.imported");
        await InsertAuditRowsAsync(tenantId, 50, "other.action");

        using var response = await fixture.Api.Client(admin.AccessToken)
            .GetAsync("/api/v1/audit-logs/export?action=bulk.imported", HttpCompletionOption.ResponseHeadersRead, Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Http.Ct));
        var ids = new HashSet<Guid>();
        while (await reader.ReadLineAsync(Http.Ct) is { } line)
        {
            var row = JsonDocument.Parse(line).RootElement;
            Assert.Equal("bulk.imported", row.Str("action"));
            Assert.Equal(tenantId, row.Id("tenantId"));
            Assert.True(ids.Add(row.Id()), "a row was exported twice");
        }

        Assert.Equal(10_000, ids.Count);
    }

    [Fact]
    public async Task The_audit_log_is_filtered_paginated_and_limited_to_the_tenant()
    {
        var a = await _scenario.SignUpAsync();
        var b = await _scenario.SignUpAsync();
        await InsertAuditRowsAsync(a.TenantId!.Value, 5, "a.thing");
        await InsertAuditRowsAsync(b.TenantId!.Value, 5, "a.thing");

        var first = await fixture.Api.Client(a.AccessToken).GetAsync("/api/v1/audit-logs?action=a.thing&limit=3", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var second = await fixture.Api.Client(a.AccessToken).GetAsync($"/api/v1/audit-logs?action=a.thing&limit=3&cursor={first.Str("nextCursor")}", Http.Ct)
            .ExpectAsync(HttpStatusCode.OK);
        var rows = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).ToList();
        Assert.Equal(5, rows.Select(r => r.Id()).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(a.TenantId, r.Id("tenantId")));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);

        var signups = await fixture.Api.Client(a.AccessToken).GetAsync("/api/v1/audit-logs?actorType=user&targetType=tenant&severity=info", Http.Ct)
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(signups.GetProperty("items").EnumerateArray(), r => r.Str("action") == "auth.signup");
    }

    [Fact]
    public async Task Members_cannot_read_the_audit_log()
    {
        var admin = await _scenario.SignUpAsync();
        var member = await _scenario.AddMemberAsync(admin);
        await fixture.Api.Client(member.AccessToken).GetAsync("/api/v1/audit-logs", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await fixture.Api.Client(member.AccessToken).GetAsync("/api/v1/audit-logs/export", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    private async Task InsertAuditRowsAsync(Guid tenantId, int count, string action)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY audit_logs (id, tenant_id, actor_type, action, severity, details, created_at) FROM STDIN (FORMAT BINARY)", Http.Ct);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            await writer.StartRowAsync(Http.Ct);
            await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, Http.Ct);
            await writer.WriteAsync(tenantId, NpgsqlDbType.Uuid, Http.Ct);
            await writer.WriteAsync("system", "audit_actor_type", Http.Ct);
            await writer.WriteAsync(action, NpgsqlDbType.Text, Http.Ct);
            await writer.WriteAsync("info", "audit_severity", Http.Ct);
            await writer.WriteAsync($$"""{"n":{{i}}}""", NpgsqlDbType.Jsonb, Http.Ct);
            await writer.WriteAsync(now.AddMilliseconds(-i), NpgsqlDbType.TimestampTz, Http.Ct);
        }

        await writer.CompleteAsync(Http.Ct);
    }
}
