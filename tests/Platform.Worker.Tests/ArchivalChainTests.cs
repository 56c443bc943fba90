using System.Globalization;
using System.Text.Json;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>
/// The audit archival job against the real schema and a local s3rver: what a run archives and how the
/// manifests chain. Each test has its own bucket and its own tenants (the job is restricted to them), so
/// tests never see each other's rows or objects.
/// </summary>
public sealed class ArchivalChainTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Old_rows_are_archived_per_tenant_and_day_with_a_verified_chain_and_a_second_run_changes_nothing()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        h.Options.GroupPageSize = 1; // a day's tenants come a page at a time
        var a = await fixture.Database.CreateTenantAsync();
        var b = await fixture.Database.CreateTenantAsync();
        var c = await fixture.Database.CreateTenantAsync();
        Guid? platform = null;
        var cut = h.CutoffDay;
        var cutStart = ArchiveHarness.Start(cut);

        var old = new Dictionary<(Guid? Tenant, DateOnly Day), List<SeededRow>>
        {
            [(a, cut.AddDays(-30))] = await AuditSeed.DayAsync(fixture, a, cut.AddDays(-30), 1234),
            [(a, cut.AddDays(-29))] = await AuditSeed.DayAsync(fixture, a, cut.AddDays(-29), 300),
            [(b, cut.AddDays(-30))] = await AuditSeed.DayAsync(fixture, b, cut.AddDays(-30), 10),
            [(b, cut.AddDays(-5))] = await AuditSeed.DayAsync(fixture, b, cut.AddDays(-5), 700),
            [(platform, cut.AddDays(-29))] = await AuditSeed.DayAsync(fixture, platform, cut.AddDays(-29), 40),
            [(platform, cut.AddDays(-1))] = await AuditSeed.DayAsync(fixture, platform, cut.AddDays(-1), 3),
        };
        // The last microsecond before the cutoff is archived; the cutoff itself is not.
        old[(c, cut.AddDays(-1))] = [.. await AuditSeed.DayAsync(fixture, c, cut.AddDays(-1), 50),
            .. await AuditSeed.RowsAsync(fixture, c, [cutStart.AddTicks(-10)])];
        var recent = new List<SeededRow>();
        recent.AddRange(await AuditSeed.RowsAsync(fixture, a, [cutStart, h.Now.AddHours(-1), h.Now.AddHours(-1)]));
        recent.AddRange(await AuditSeed.RowsAsync(fixture, b, [h.Now.AddDays(-10)]));
        recent.AddRange(await AuditSeed.RowsAsync(fixture, c, [cutStart.AddDays(1)]));
        recent.AddRange(await AuditSeed.RowsAsync(fixture, platform, [h.Now.AddDays(-1), h.Now.AddDays(-89)]));
        Guid?[] tenants = [a, b, c, platform];
        var oldRows = old.Values.Sum(rows => rows.Count);

        var counts = await h.RunAsync(h.Archiver(tenants));

        Assert.Equal(old.Count, counts["groups"]);
        Assert.Equal(oldRows, counts["rows_archived"]);
        Assert.Equal(oldRows, counts["rows_deleted"]);
        Assert.Equal(old.Count, counts["objects_uploaded"]);
        Assert.Equal(old.Count, counts["manifests_written"]);
        Assert.Equal(0, await AuditSeed.CountAsync(fixture, tenants, before: cutStart));
        Assert.Equal(recent.Count, await AuditSeed.CountAsync(fixture, tenants, from: cutStart.AddDays(-90)));

        var keys = await h.ListAsync();
        Assert.Equal(old.Count * 2, keys.Count);
        await ArchiveAssert.ArchivedAsync(h, old);

        // Every field of a row, as PostgreSQL printed it (the first row of a day is the seed's row 0).
        var firstRow = old[(a, cut.AddDays(-30))][0];
        var line = ArchiveHarness.ReadLines(await h.DownloadAsync(ArchiveHarness.Key(a, cut.AddDays(-30)).ObjectKey))[0];
        Assert.Equal(firstRow.Id, line.GetProperty("id").GetGuid());
        Assert.Equal(a, line.GetProperty("tenantId").GetGuid());
        Assert.Equal("user", line.GetProperty("actorType").GetString());
        Assert.Equal("test.archival_0", line.GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("targetType").ValueKind);
        Assert.Equal("info", line.GetProperty("severity").GetString());
        Assert.Equal("zürich \"quoted\" <b>", line.GetProperty("details").GetProperty("note").GetString());
        Assert.Equal("10.1.0.0", line.GetProperty("ipAddress").GetString());
        Assert.Equal("Mozilla/5.0 (tests; ü)", line.GetProperty("userAgent").GetString());
        Assert.Equal(firstRow.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            line.GetProperty("createdAt").GetString());

        foreach (var tenant in tenants)
        {
            var result = await h.Verifier().VerifyAsync(ArchiveKeys.TenantLabel(tenant), Ct);
            Assert.True(result.IsIntact, string.Join("\n", result.Problems));
            Assert.Equal(old.Keys.Count(k => k.Tenant == tenant), result.Manifests);
            Assert.Equal(old.Where(g => g.Key.Tenant == tenant).Sum(g => g.Value.Count), result.Rows);
        }

        var (exitCode, output) = await h.VerifyCommandAsync(a.ToString());
        Assert.True(exitCode == 0, output);
        Assert.Contains("Chain intact.", output, StringComparison.Ordinal);
        Assert.Equal(0, (await h.VerifyCommandAsync("platform")).ExitCode);

        // A second run finds nothing to do: no upload, no delete, the same objects with the same ETags.
        var again = await h.RunAsync(h.Archiver(tenants));
        Assert.Equal(0, again.GetValueOrDefault("groups"));
        Assert.Equal(0, again.GetValueOrDefault("objects_uploaded"));
        Assert.Equal(0, again.GetValueOrDefault("rows_deleted"));
        Assert.Equal(keys, await h.ListAsync());
        Assert.Equal(recent.Count, await AuditSeed.CountAsync(fixture, tenants, from: cutStart.AddDays(-90)));
    }

    [Fact]
    public async Task Rows_archived_later_extend_the_tenants_chain()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var days = new[] { h.CutoffDay.AddDays(-20), h.CutoffDay.AddDays(-19), h.CutoffDay.AddDays(-3) };
        await AuditSeed.DayAsync(fixture, x, days[0], 25);
        await AuditSeed.DayAsync(fixture, x, days[1], 15);
        await h.RunAsync(h.Archiver(x));
        var (firstManifest, _) = await h.ManifestAsync(ArchiveHarness.Key(x, days[0]).ManifestKey);
        Assert.Null(firstManifest.PreviousManifestSha256);

        // A later day: its manifest links to the latest one.
        var (_, headSha) = await h.ManifestAsync(ArchiveHarness.Key(x, days[1]).ManifestKey);
        await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[2]).AddHours(1)]);
        await h.RunAsync(h.Archiver(x));
        var (third, thirdSha) = await h.ManifestAsync(ArchiveHarness.Key(x, days[2]).ManifestKey);
        Assert.Equal(ArchiveHarness.Key(x, days[1]).ManifestKey, third.PreviousManifestKey);
        Assert.Equal(headSha, third.PreviousManifestSha256);
        Assert.Equal(1, third.RowCount);

        // A row that reaches the head's day after it was archived: a second part, next in the chain.
        await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[2]).AddHours(2)]);
        await h.RunAsync(h.Archiver(x));
        var (part2, _) = await h.ManifestAsync(ArchiveHarness.Key(x, days[2], 2).ManifestKey);
        Assert.Equal(thirdSha, part2.PreviousManifestSha256);
        Assert.Equal(2, part2.Part);
        Assert.Equal(0, await AuditSeed.CountDayAsync(fixture, x, days[2]));

        // A row for a day behind the chain's head cannot be chained in order: it stays, and the run says so.
        var keys = await h.ListAsync();
        await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[0]).AddHours(5)]);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(h.Archiver(x)));
        Assert.Contains("held", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, await AuditSeed.CountDayAsync(fixture, x, days[0]));
        Assert.Equal(keys, await h.ListAsync());

        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
        Assert.Equal(4, result.Manifests);
        Assert.Equal(25 + 15 + 1 + 1, result.Rows);
    }
}
