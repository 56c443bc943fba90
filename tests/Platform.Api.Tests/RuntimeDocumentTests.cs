using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>
/// <c>GET /agents/{id}/runtime</c>: what an agent's runtime gets with its own key. Secrets in clear, an ETag that follows
/// every change, and one audit row per read that revealed them.
/// </summary>
public sealed class RuntimeDocumentTests(ApiFixture fixture)
{
    private const string BotToken = "xoxb-runtime-secret-4711";
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task The_runtime_key_reads_its_agents_document_with_channel_secrets_skills_and_model_providers_in_clear()
    {
        var (admin, agentId, channelId, runtime, _) = await AgentWithRuntimeAsync();

        using var response = await runtime.GetAsync(Url(agentId), Http.Ct);
        var document = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.False(response.Headers.ETag!.IsWeak);

        Assert.Equal(agentId, document.Id("agentId"));
        Assert.Equal("opus", document.Str("modelTier"));
        Assert.Equal("high", document.Str("thinkingMode"));
        Assert.Equal("web_search", document.GetProperty("toolPolicy").GetProperty("allowed")[0].GetString());

        var channel = Assert.Single(document.GetProperty("channels").EnumerateArray());
        Assert.Equal(channelId, channel.Id());
        Assert.Equal(("slack", "#ops", true), (channel.Str("type"), channel.Str("name"), channel.GetProperty("enabled").GetBoolean()));
        Assert.Equal(BotToken, channel.GetProperty("config").Str("botToken"));
        Assert.Equal("#ops", channel.GetProperty("config").Str("channel"));

        var skill = Assert.Single(document.GetProperty("skills").EnumerateArray());
        Assert.Equal(("meeting-notes", "published"), (skill.Str("slug"), skill.Str("status")));
        Assert.False(string.IsNullOrEmpty(skill.Str("version")));
        Assert.Equal("de", skill.GetProperty("config").Str("language"));

        var providers = document.GetProperty("modelProviders");
        Assert.Equal(ApiInstance.AnthropicKey, providers.GetProperty("anthropic").Str("apiKey"));
        Assert.Equal((ApiInstance.OpenAiKey, ApiInstance.OpenAiBaseUrl), (providers.GetProperty("openai").Str("apiKey"), providers.GetProperty("openai").Str("baseUrl")));

        // Everyone else still sees the secret masked.
        var listed = await fixture.Api.Client(admin.AccessToken).GetAsync($"/api/v1/agents/{agentId}/channels", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("********", listed.GetProperty("items")[0].GetProperty("config").Str("botToken"));
    }

    [Fact]
    public async Task The_etag_answers_304_until_the_agent_a_channel_or_a_skill_changes_and_only_200s_are_audited()
    {
        var (admin, agentId, channelId, runtime, keyId) = await AgentWithRuntimeAsync();
        var asAdmin = fixture.Api.Client(admin.AccessToken);

        var first = await GetAsync(runtime, agentId, null, HttpStatusCode.OK);
        var unchanged = await GetAsync(runtime, agentId, first, HttpStatusCode.NotModified);
        Assert.Equal(first, unchanged);
        Assert.Equal(1, await ReadsAuditedAsync(agentId));

        await asAdmin.PatchAsync($"/api/v1/agents/{agentId}", new { modelTier = "haiku" }).ExpectAsync(HttpStatusCode.OK);
        var afterAgent = await GetAsync(runtime, agentId, first, HttpStatusCode.OK);
        Assert.NotEqual(first, afterAgent);

        await asAdmin.PatchAsync($"/api/v1/agents/{agentId}/channels/{channelId}", new { config = new { channel = "#ops", botToken = "xoxb-rotated" } })
            .ExpectAsync(HttpStatusCode.OK);
        var afterChannel = await GetAsync(runtime, agentId, afterAgent, HttpStatusCode.OK);
        Assert.NotEqual(afterAgent, afterChannel);
        await GetAsync(runtime, agentId, afterChannel, HttpStatusCode.NotModified);

        var skillId = await DomainIsolationCases.SkillIdAsync(asAdmin, "meeting-notes");
        await asAdmin.DeleteAsync($"/api/v1/agents/{agentId}/skills/{skillId}", Http.Ct).ExpectAsync(HttpStatusCode.NoContent);
        var afterSkill = await GetAsync(runtime, agentId, afterChannel, HttpStatusCode.OK);
        Assert.NotEqual(afterChannel, afterSkill);

        // Four reads revealed secrets, two did not.
        Assert.Equal(4, await ReadsAuditedAsync(agentId));
        var row = await LastReadAuditAsync(agentId);
        Assert.Equal(("api_key", keyId, "agent", "warning"), (row.ActorType, row.ActorId, row.TargetType, row.Severity));
        Assert.Equal(admin.TenantId, row.TenantId);
        var details = JsonDocument.Parse(row.Details).RootElement;
        var channel = Assert.Single(details.GetProperty("channels").EnumerateArray());
        Assert.Equal(channelId, channel.Id());
        Assert.Equal(["botToken"], channel.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["anthropic", "openai"], details.GetProperty("modelProviders").EnumerateArray().Select(s => s.GetString()));
        foreach (var secret in new[] { BotToken, "xoxb-rotated", ApiInstance.AnthropicKey, ApiInstance.OpenAiKey })
        {
            Assert.DoesNotContain(secret, row.Details, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_client_cannot_send_an_encrypted_value_for_the_runtime_document_to_decrypt()
    {
        var admin = await _scenario.SignUpAsync();
        var asAdmin = fixture.Api.Client(admin.AccessToken);
        var agentId = (await asAdmin.PostAsync("/api/v1/agents", new { name = "Target" }).ExpectAsync(HttpStatusCode.Created)).Id();

        var problem = await asAdmin.SendRawAsync(HttpMethod.Post, $"/api/v1/agents/{agentId}/channels",
            """{"type":"email","name":"smuggled","config":{"password":{"$encrypted":"CfDJ8-taken-from-another-row"}}}""")
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("config", out _), problem.ToString());
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM agent_channels WHERE agent_id = @a", ("a", agentId)));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_runtime_document_with_its_etag_and_refusals()
    {
        var document = await fixture.Api.Client().GetAsync("/openapi/v1.json", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var operation = document.GetProperty("paths").GetProperty("/api/v1/agents/{id}/runtime").GetProperty("get");
        var responses = operation.GetProperty("responses");
        foreach (var status in new[] { "200", "304", "401", "403", "404" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"no {status}");
        }

        Assert.True(responses.GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.True(responses.GetProperty("304").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.Contains(operation.GetProperty("parameters").EnumerateArray(), p => p.Str("name") == "If-None-Match");
    }

    private static string Url(Guid agentId) => $"/api/v1/agents/{agentId}/runtime";

    /// <summary>A pm agent with a secret-bearing Slack channel and an installed skill, made through the API, and its runtime key.</summary>
    private async Task<(Session Admin, Guid AgentId, Guid ChannelId, HttpClient Runtime, Guid KeyId)> AgentWithRuntimeAsync()
    {
        var admin = await _scenario.SignUpAsync();
        var asAdmin = fixture.Api.Client(admin.AccessToken);
        var agentId = (await asAdmin.PostAsync("/api/v1/agents", new
        {
            name = "Courier",
            role = "pm",
            modelTier = "opus",
            thinkingMode = "high",
            toolPolicy = new { allowed = new[] { "web_search" } },
        }).ExpectAsync(HttpStatusCode.Created)).Id();
        var channel = await asAdmin.PostAsync($"/api/v1/agents/{agentId}/channels", new { type = "slack", name = "#ops", config = new { channel = "#ops", botToken = BotToken } })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("********", channel.GetProperty("config").Str("botToken"));
        var skillId = await DomainIsolationCases.SkillIdAsync(asAdmin, "meeting-notes");
        await asAdmin.PostAsync($"/api/v1/agents/{agentId}/skills", new { skillId, config = new { language = "de" } }).ExpectAsync(HttpStatusCode.Created);
        var (key, keyId) = await _scenario.MintRuntimeKeyAsync(admin.TenantId!.Value, agentId);
        return (admin, agentId, channel.Id(), fixture.Api.Client(apiKey: key), keyId);
    }

    /// <summary>Sends <c>If-None-Match</c> when given; returns the ETag answered, which a 304 carries too, without a body.</summary>
    private static async Task<string> GetAsync(HttpClient runtime, Guid agentId, string? ifNoneMatch, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(agentId));
        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(ifNoneMatch));
        }

        using var response = await runtime.SendAsync(request, Http.Ct);
        var body = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        if (expected == HttpStatusCode.NotModified)
        {
            Assert.Empty(body);
        }

        return response.Headers.ETag!.ToString();
    }

    private Task<long> ReadsAuditedAsync(Guid agentId) =>
        _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'agent.runtime_read' AND target_id = @a", ("a", agentId));

    private sealed record AuditRow(Guid? TenantId, string ActorType, Guid ActorId, string TargetType, string Severity, string Details);

    private async Task<AuditRow> LastReadAuditAsync(Guid agentId)
    {
        await using var connection = new NpgsqlConnection(fixture.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("""
            SELECT tenant_id, actor_type::text, actor_id, target_type::text, severity::text, details::text FROM audit_logs
            WHERE action = 'agent.runtime_read' AND target_id = @a ORDER BY created_at DESC, id DESC LIMIT 1
            """, connection);
        command.Parameters.AddWithValue("a", agentId);
        await using var reader = await command.ExecuteReaderAsync(Http.Ct);
        Assert.True(await reader.ReadAsync(Http.Ct));
        return new AuditRow(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetString(5));
    }
}
