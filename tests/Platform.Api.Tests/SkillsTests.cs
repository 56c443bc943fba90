using System.Net;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

public sealed class SkillsTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    private async Task<Guid> SkillIdAsync(string slug) =>
        (await fixture.Api.Client((await _scenario.SignUpAsync()).AccessToken).GetAsync($"/api/v1/skills?q={slug}", Http.Ct).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Single(s => s.Str("slug") == slug).Id();

    [Fact]
    public async Task Capability_filter_uses_containment_on_values_and_lists()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var summarizers = await client.GetAsync("/api/v1/skills?capability=summarize&sort=name", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["meeting-notes", "slack-digest"], summarizers.GetProperty("items").EnumerateArray().Select(s => s.Str("slug")).Order());

        var slack = await client.GetAsync("/api/v1/skills?capability=integrations:slack", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["slack-digest"], slack.GetProperty("items").EnumerateArray().Select(s => s.Str("slug")));

        var engineering = await client.GetAsync("/api/v1/skills?role=engineering&category=engineering&sort=installs", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("code-review", engineering.GetProperty("items").EnumerateArray().Select(s => s.Str("slug")));
    }

    [Fact]
    public async Task The_capability_query_plan_uses_the_gin_index_on_real_data()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Database.Server);
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using (var fill = new NpgsqlCommand(
            """
            INSERT INTO skills (id, name, slug, description, category, version, status, compatible_roles, capabilities, permissions, rating, rating_count, install_count, rating_total, publisher)
            SELECT gen_random_uuid(), 'Skill ' || i, 'bulk-' || i, 'd', 'productivity', '1.0.0', 'published', '{pm}',
                   jsonb_build_object('feature' || (i % 500), true, 'integrations', jsonb_build_array('tool' || (i % 50))), '{}', 0, 0, 0, 0, 'p'
            FROM generate_series(1, 20000) AS i;
            ANALYZE skills;
            """, connection))
        {
            await fill.ExecuteNonQueryAsync(Http.Ct);
        }

        // The statement the API issues for ?capability=feature7 (EF: capabilities @> @p).
        await using var explain = new NpgsqlCommand(
            "EXPLAIN (FORMAT JSON) SELECT id FROM skills WHERE status = 'published' AND capabilities @> @p::jsonb", connection);
        explain.Parameters.AddWithValue("p", """{"feature7": true}""");
        var plan = (string)(await explain.ExecuteScalarAsync(Http.Ct))!;
        Assert.Contains("ix_skills_capabilities", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_count_stays_exact_under_concurrent_installs_and_follows_uninstall_and_agent_deletion()
    {
        var skillId = await SkillIdAsync("meeting-notes");
        var agents = new List<(Session Admin, Guid Agent)>();
        for (var t = 0; t < 3; t++)
        {
            var admin = await _scenario.SignUpAsync();
            for (var i = 0; i < 3; i++)
            {
                var agent = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = $"a{i}", role = "pm" }).ExpectAsync(HttpStatusCode.Created);
                agents.Add((admin, agent.Id()));
            }
        }

        var before = await InstallCountAsync(skillId);
        var installs = await Task.WhenAll(agents.Select(a =>
            fixture.Api.Client(a.Admin.AccessToken).PostAsync($"/api/v1/agents/{a.Agent}/skills", new { skillId })));
        Assert.All(installs, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(before + 9, await InstallCountAsync(skillId));

        await fixture.Api.Client(agents[0].Admin.AccessToken).PostAsync($"/api/v1/agents/{agents[0].Agent}/skills", new { skillId })
            .ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        await fixture.Api.Client(agents[0].Admin.AccessToken).DeleteAsync($"/api/v1/agents/{agents[0].Agent}/skills/{skillId}", Http.Ct)
            .ExpectAsync(HttpStatusCode.NoContent);
        await fixture.Api.Client(agents[1].Admin.AccessToken).DeleteAsync($"/api/v1/agents/{agents[1].Agent}", Http.Ct).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(before + 7, await InstallCountAsync(skillId));
    }

    [Fact]
    public async Task Only_published_skills_compatible_with_the_agents_role_can_be_installed()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var pm = (await client.PostAsync("/api/v1/agents", new { name = "pm", role = "pm" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var codeReview = await SkillIdAsync("code-review");
        await client.PostAsync($"/api/v1/agents/{pm}/skills", new { skillId = codeReview }).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        var slug = "draft-" + Guid.NewGuid().ToString("N")[..8];
        var draft = await platform.PostAsync("/api/v1/skills", new
        {
            slug, name = "Draft", description = "d", category = "analytics", version = "0.1.0", compatibleRoles = new[] { "pm" },
            capabilities = new { draft = true },
        }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("draft", draft.Str("status"));
        await client.GetAsync($"/api/v1/skills/{draft.Id()}", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await client.PostAsync($"/api/v1/agents/{pm}/skills", new { skillId = draft.Id() }).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        await platform.PostAsync($"/api/v1/skills/{draft.Id()}/publish", (object?)null).ExpectAsync(HttpStatusCode.OK);
        await client.PostAsync($"/api/v1/agents/{pm}/skills", new { skillId = draft.Id(), config = new { level = 2 } }).ExpectAsync(HttpStatusCode.Created);
        await platform.PostAsync($"/api/v1/skills/{draft.Id()}/deprecate", (object?)null).ExpectAsync(HttpStatusCode.OK);
        var installed = await client.GetAsync($"/api/v1/agents/{pm}/skills", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, Assert.Single(installed.GetProperty("items").EnumerateArray()).GetProperty("config").GetProperty("level").GetInt32());
    }

    [Fact]
    public async Task A_removed_skill_leaves_the_marketplace_but_its_installations_keep_working()
    {
        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        var slug = "removed-" + Guid.NewGuid().ToString("N")[..8];
        var skill = (await platform.PostAsync("/api/v1/skills", new
        {
            slug, name = "Soon Gone", description = "d", category = "productivity", version = "1.2.0", compatibleRoles = new[] { "pm" },
        }).ExpectAsync(HttpStatusCode.Created)).Id();
        var draftRefused = await platform.PostAsync($"/api/v1/skills/{skill}/remove", (object?)null).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Equal("A draft skill cannot become removed.", draftRefused.Str("detail"));
        await platform.PostAsync($"/api/v1/skills/{skill}/publish", (object?)null).ExpectAsync(HttpStatusCode.OK);

        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var installedOn = (await client.PostAsync("/api/v1/agents", new { name = "keeps", role = "pm" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var refusedOn = (await client.PostAsync("/api/v1/agents", new { name = "refused", role = "pm" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await client.PostAsync($"/api/v1/agents/{installedOn}/skills", new { skillId = skill, config = new { level = 3 } }).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("removed", (await platform.PostAsync($"/api/v1/skills/{skill}/remove", (object?)null).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        await platform.PostAsync($"/api/v1/skills/{skill}/remove", (object?)null).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        var final = await platform.PostAsync($"/api/v1/skills/{skill}/publish", (object?)null).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Equal("A removed skill cannot become published.", final.Str("detail"));

        // Not listed for tenants, nor in the platform admin's catalogue unless asked for by status.
        Assert.Empty(await SlugsAsync(client, $"q={slug}"));
        Assert.Empty(await SlugsAsync(platform, $"q={slug}"));
        Assert.Empty(await SlugsAsync(platform, $"q={slug}&status=published"));
        Assert.Equal([slug], await SlugsAsync(platform, $"q={slug}&status=removed"));
        Assert.Empty(await SlugsAsync(client, $"q={slug}&status=removed"));

        // Still readable by id, so that an agent that has it can show it; no new installations.
        Assert.Equal("removed", (await client.GetAsync($"/api/v1/skills/{skill}", Http.Ct).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        await client.PostAsync($"/api/v1/agents/{refusedOn}/skills", new { skillId = skill }).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM skill_installations WHERE agent_id = @a", ("a", refusedOn)));

        var installed = Assert.Single((await client.GetAsync($"/api/v1/agents/{installedOn}/skills", Http.Ct).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray());
        Assert.Equal((skill, "removed", "1.2.0"), (installed.Id("skillId"), installed.Str("status"), installed.Str("version")));
        Assert.Equal(3, installed.GetProperty("config").GetProperty("level").GetInt32());

        var (key, _) = await _scenario.MintRuntimeKeyAsync(admin.TenantId!.Value, installedOn);
        var runtime = await fixture.Api.Client(apiKey: key).GetAsync($"/api/v1/agents/{installedOn}/runtime", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var inDocument = Assert.Single(runtime.GetProperty("skills").EnumerateArray());
        Assert.Equal((slug, "removed"), (inDocument.Str("slug"), inDocument.Str("status")));
        Assert.Equal(3, inDocument.GetProperty("config").GetProperty("level").GetInt32());

        // Uninstalling still works, and a removed skill can then not come back on that agent.
        await client.DeleteAsync($"/api/v1/agents/{installedOn}/skills/{skill}", Http.Ct).ExpectAsync(HttpStatusCode.NoContent);
        await client.PostAsync($"/api/v1/agents/{installedOn}/skills", new { skillId = skill }).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task Ratings_are_one_per_user_and_the_mean_stays_exact()
    {
        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        var skill = await platform.PostAsync("/api/v1/skills", new
        {
            slug = "rated-" + Guid.NewGuid().ToString("N")[..8], name = "Rated", description = "d", category = "communication",
            version = "1.0.0", compatibleRoles = new[] { "custom" },
        }).ExpectAsync(HttpStatusCode.Created);
        await platform.PostAsync($"/api/v1/skills/{skill.Id()}/publish", (object?)null).ExpectAsync(HttpStatusCode.OK);

        var admin = await _scenario.SignUpAsync();
        var users = new[] { admin, await _scenario.AddMemberAsync(admin), await _scenario.AddMemberAsync(admin) };
        var ratings = new[] { 5, 4, 3 };
        await Task.WhenAll(users.Select((u, i) =>
            fixture.Api.Client(u.AccessToken).PutAsync($"/api/v1/skills/{skill.Id()}/rating", new { rating = ratings[i] }).ExpectAsync(HttpStatusCode.OK)));

        var rerated = await fixture.Api.Client(users[0].AccessToken).PutAsync($"/api/v1/skills/{skill.Id()}/rating", new { rating = 1 })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, rerated.GetProperty("ratingCount").GetInt32());
        Assert.Equal(2.67m, rerated.GetProperty("rating").GetDecimal());

        var shown = await fixture.Api.Client(admin.AccessToken).GetAsync($"/api/v1/skills/{skill.Id()}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2.67m, shown.GetProperty("rating").GetDecimal());
    }

    private static async Task<string[]> SlugsAsync(HttpClient client, string query) =>
        [.. (await client.GetAsync($"/api/v1/skills?{query}", Http.Ct).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(s => s.Str("slug"))];

    private Task<long> InstallCountAsync(Guid skillId) =>
        _scenario.CountAsync("SELECT install_count::bigint FROM skills WHERE id = @id", ("id", skillId));
}
