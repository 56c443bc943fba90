using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Data.Hosting;
using Platform.Tests.Support;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>
/// The audit archival job against the real schema and a local s3rver. Each test has its own bucket and
/// its own tenants (the job is restricted to them), so tests never see each other's rows or objects.
/// </summary>
public sealed class ArchivalTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
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
        var cutStart = Start(cut);

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
        await AssertArchivedAsync(h, old);

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

    [Theory]
    [InlineData("ObjectStored", false)]
    [InlineData("ManifestWritten", false)]
    [InlineData("ObjectStored", true)]
    [InlineData("ManifestWritten", true)]
    public async Task A_crash_between_upload_and_delete_loses_no_row_and_leaves_no_duplicate_object(string crashAfterStep, bool rowArrivesBeforeRerun)
    {
        var crashAfter = Enum.Parse<ArchiveStep>(crashAfterStep);
        using var h = new ArchiveHarness(fixture, s3.S3, deleteBatchSize: 100);
        var x = await fixture.Database.CreateTenantAsync();
        var days = new[] { h.CutoffDay.AddDays(-10), h.CutoffDay.AddDays(-9), h.CutoffDay.AddDays(-8) };
        var seeded = new Dictionary<(Guid?, DateOnly), List<SeededRow>>
        {
            [(x, days[0])] = await AuditSeed.DayAsync(fixture, x, days[0], 420),
            [(x, days[1])] = await AuditSeed.DayAsync(fixture, x, days[1], 250),
            [(x, days[2])] = await AuditSeed.DayAsync(fixture, x, days[2], 60),
        };

        var crashing = h.Archiver(x);
        crashing.AfterStep = (step, key) => step == crashAfter && key.Day == days[1]
            ? throw new IOException("simulated crash")
            : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => h.RunAsync(crashing));

        // The first day is done; the second is uploaded (and maybe has its manifest) but not one row is deleted.
        Assert.Equal(0, await CountDayAsync(x, days[0]));
        Assert.Equal(250, await CountDayAsync(x, days[1]));
        Assert.Equal(60, await CountDayAsync(x, days[2]));
        Assert.True(await h.ExistsAsync(ArchiveHarness.Key(x, days[1]).ObjectKey));
        Assert.Equal(crashAfter == ArchiveStep.ManifestWritten, await h.ExistsAsync(ArchiveHarness.Key(x, days[1]).ManifestKey));
        Assert.False(await h.ExistsAsync(ArchiveHarness.Key(x, days[2]).ObjectKey));

        if (rowArrivesBeforeRerun)
        {
            var late = await AuditSeed.RowsAsync(fixture, x, [Start(days[1]).AddHours(12).AddTicks(30)]);
            seeded[(x, days[1])].AddRange(late);
        }

        var counts = await h.RunAsync(h.Archiver(x));

        Assert.Equal(0, await AuditSeed.CountAsync(fixture, [x], before: Start(h.CutoffDay)));
        var expectedKeys = days.SelectMany(d => new[] { ArchiveHarness.Key(x, d).ObjectKey, ArchiveHarness.Key(x, d).ManifestKey }).ToList();
        if (crashAfter == ArchiveStep.ManifestWritten && rowArrivesBeforeRerun)
        {
            // The day's manifest was final: the late row becomes its second part.
            expectedKeys.AddRange([ArchiveHarness.Key(x, days[1], 2).ObjectKey, ArchiveHarness.Key(x, days[1], 2).ManifestKey]);
        }

        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), (await h.ListAsync()).Keys);

        // Every seeded row is in exactly one object.
        var archivedIds = new List<Guid>();
        foreach (var key in expectedKeys.Where(k => k.EndsWith(".ndjson.gz", StringComparison.Ordinal)))
        {
            archivedIds.AddRange(ArchiveHarness.ReadLines(await h.DownloadAsync(key)).Select(l => l.GetProperty("id").GetGuid()));
        }

        var seededIds = seeded.Values.SelectMany(rows => rows).Select(r => r.Id).ToList();
        Assert.Equal(seededIds.Count, archivedIds.Count);
        Assert.Equal(seededIds.ToHashSet(), archivedIds.ToHashSet());

        switch (crashAfter, rowArrivesBeforeRerun)
        {
            case (ArchiveStep.ObjectStored, false):
                Assert.Equal(1, counts.GetValueOrDefault("objects_reused"));
                Assert.Equal(1, counts.GetValueOrDefault("objects_uploaded"));
                break;
            case (ArchiveStep.ObjectStored, true):
                Assert.Equal(0, counts.GetValueOrDefault("objects_reused"));
                Assert.Equal(2, counts.GetValueOrDefault("objects_uploaded"));
                break;
            case (ArchiveStep.ManifestWritten, _):
                Assert.Equal(1, counts.GetValueOrDefault("groups_resumed"));
                Assert.Equal(rowArrivesBeforeRerun ? 2 : 1, counts.GetValueOrDefault("objects_uploaded"));
                break;
        }

        Assert.Equal(seededIds.Count - 420, counts["rows_deleted"]);
        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
        Assert.Equal(seededIds.Count, result.Rows);
    }

    [Fact]
    public async Task A_tampered_object_or_manifest_is_reported_by_the_verifier_and_blocks_deletion()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var days = new[] { h.CutoffDay.AddDays(-40), h.CutoffDay.AddDays(-39), h.CutoffDay.AddDays(-38) };
        foreach (var day in days)
        {
            await AuditSeed.DayAsync(fixture, x, day, 30);
        }

        await h.RunAsync(h.Archiver(x));
        Assert.True((await h.Verifier().VerifyAsync(x.ToString(), Ct)).IsIntact);

        // Same size, other bytes: only the hash can tell.
        var second = ArchiveHarness.Key(x, days[1]);
        var original = await h.DownloadAsync(second.ObjectKey);
        var tampered = (byte[])original.Clone();
        tampered[tampered.Length / 2] ^= 0x5A;
        await h.UploadAsync(second.ObjectKey, tampered);

        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.False(result.IsIntact);
        Assert.Contains(result.Problems, p => p.Contains(second.ObjectKey, StringComparison.Ordinal));
        var (exitCode, output) = await h.VerifyCommandAsync(x.ToString());
        Assert.Equal(1, exitCode);
        Assert.Contains("Chain BROKEN", output, StringComparison.Ordinal);

        // A well-formed replacement with other rows is caught too.
        await h.UploadAsync(second.ObjectKey, Gzip("{\"id\":\"00000000-0000-0000-0000-000000000001\"}\n"));
        Assert.Contains((await h.Verifier().VerifyAsync(x.ToString(), Ct)).Problems, p => p.Contains(second.ObjectKey, StringComparison.Ordinal));
        await h.UploadAsync(second.ObjectKey, original);
        Assert.True((await h.Verifier().VerifyAsync(x.ToString(), Ct)).IsIntact);

        // A rewritten manifest breaks the link from the next one.
        var first = ArchiveHarness.Key(x, days[0]);
        var (manifest, _) = await h.ManifestAsync(first.ManifestKey);
        await h.UploadAsync(first.ManifestKey, (manifest with { RowCount = manifest.RowCount - 1 }).ToBytes());
        result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.Contains(result.Problems, p => p.StartsWith(second.ManifestKey, StringComparison.Ordinal) && p.Contains("previousManifestSha256", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.StartsWith(first.ObjectKey, StringComparison.Ordinal));

        // The archiver does not delete rows on the word of an object that no longer matches its manifest.
        var head = ArchiveHarness.Key(x, days[2]);
        await h.UploadAsync(head.ObjectKey, Gzip("tampered\n"));
        await AuditSeed.RowsAsync(fixture, x, [Start(days[2]).AddHours(3)]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(h.Archiver(x)));
        Assert.Equal(1, await CountDayAsync(x, days[2]));

        // Nor does it chain onto a head manifest it cannot read.
        await h.UploadAsync(head.ManifestKey, "not a manifest"u8.ToArray());
        await AuditSeed.RowsAsync(fixture, x, [Start(days[2]).AddDays(1)]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(h.Archiver(x)));
        Assert.Equal(1, await CountDayAsync(x, days[2].AddDays(1)));
        Assert.False(await h.ExistsAsync(ArchiveHarness.Key(x, days[2].AddDays(1)).ObjectKey));
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
        await AuditSeed.RowsAsync(fixture, x, [Start(days[2]).AddHours(1)]);
        await h.RunAsync(h.Archiver(x));
        var (third, thirdSha) = await h.ManifestAsync(ArchiveHarness.Key(x, days[2]).ManifestKey);
        Assert.Equal(ArchiveHarness.Key(x, days[1]).ManifestKey, third.PreviousManifestKey);
        Assert.Equal(headSha, third.PreviousManifestSha256);
        Assert.Equal(1, third.RowCount);

        // A row that reaches the head's day after it was archived: a second part, next in the chain.
        await AuditSeed.RowsAsync(fixture, x, [Start(days[2]).AddHours(2)]);
        await h.RunAsync(h.Archiver(x));
        var (part2, _) = await h.ManifestAsync(ArchiveHarness.Key(x, days[2], 2).ManifestKey);
        Assert.Equal(thirdSha, part2.PreviousManifestSha256);
        Assert.Equal(2, part2.Part);
        Assert.Equal(0, await CountDayAsync(x, days[2]));

        // A row for a day behind the chain's head cannot be chained in order: it stays, and the run says so.
        var keys = await h.ListAsync();
        await AuditSeed.RowsAsync(fixture, x, [Start(days[0]).AddHours(5)]);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(h.Archiver(x)));
        Assert.Contains("held", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, await CountDayAsync(x, days[0]));
        Assert.Equal(keys, await h.ListAsync());

        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
        Assert.Equal(4, result.Manifests);
        Assert.Equal(25 + 15 + 1 + 1, result.Rows);
    }

    [Fact]
    public async Task An_upload_that_does_not_read_back_identically_deletes_nothing()
    {
        // s3rver stores aws-chunked bodies verbatim: with chunk encoding on, every object comes back corrupted.
        using var h = new ArchiveHarness(fixture, s3.S3, useChunkEncoding: true);
        var x = await fixture.Database.CreateTenantAsync();
        var day = h.CutoffDay.AddDays(-7);
        await AuditSeed.DayAsync(fixture, x, day, 200);

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => h.RunAsync(h.Archiver(x)));
        Assert.Contains("nothing is deleted", failure.Message, StringComparison.Ordinal);
        Assert.Equal(200, await CountDayAsync(x, day));
        Assert.False(await h.ExistsAsync(ArchiveHarness.Key(x, day).ManifestKey));

        // Fixed configuration: the next run replaces the corrupted object and finishes.
        using var fixedHarness = new ArchiveHarness(fixture, s3.S3, h.Now, bucket: h.Bucket);
        var counts = await fixedHarness.RunAsync(fixedHarness.Archiver(x));
        Assert.Equal(1, counts["objects_uploaded"]);
        Assert.Equal(200, counts["rows_deleted"]);
        Assert.True((await fixedHarness.Verifier().VerifyAsync(x.ToString(), Ct)).IsIntact);
    }

    [Fact]
    public async Task The_verify_command_reports_usage_errors_and_ignores_other_arguments()
    {
        Assert.Null(await ArchiveSetup.TryRunCommandAsync([], cancellationToken: Ct));
        Assert.Null(await ArchiveSetup.TryRunCommandAsync(["--urls", "http://127.0.0.1:0"], cancellationToken: Ct));

        using var error = new StringWriter();
        Assert.Equal(2, await ArchiveSetup.TryRunCommandAsync(["verify-archive"], TextWriter.Null, error, Ct));
        Assert.Contains("--tenant is required", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await ArchiveSetup.TryRunCommandAsync(["verify-archive", "--tenant", "acme"], TextWriter.Null, TextWriter.Null, Ct));
        Assert.Equal(2, await ArchiveSetup.TryRunCommandAsync(
            ["verify-archive", "--tenant", "platform", "--Archive:Bucket=Not_A_Bucket"], TextWriter.Null, TextWriter.Null, Ct));

        // An empty tenant archive is an intact (empty) chain.
        using var h = new ArchiveHarness(fixture, s3.S3);
        await h.Client.PutBucketAsync(h.Bucket, Ct);
        var (exitCode, output) = await h.VerifyCommandAsync(Guid.NewGuid().ToString());
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task AddAuditArchival_registers_the_job_the_verifier_and_validated_options()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:platformdb"] = fixture.Database.AppConnectionString,
            ["Archive:ServiceUrl"] = s3.S3.ServiceUrl,
            ["Archive:Bucket"] = "registration-check",
            ["Archive:AccessKey"] = LocalS3.AccessKey,
            ["Archive:SecretKey"] = LocalS3.SecretKey,
        });
        builder.AddPlatformData();
        builder.AddAuditArchival();
        using (var host = builder.Build())
        {
            Assert.NotNull(host.Services.GetRequiredService<AuditArchiver>());
            Assert.NotNull(host.Services.GetRequiredService<ArchiveVerifier>());
            var options = host.Services.GetRequiredService<IOptions<S3ArchiveOptions>>().Value;
            Assert.True(options.EffectiveForcePathStyle);
            Assert.False(options.EffectiveUseChunkEncoding);
            Assert.Equal(90, options.RetentionDays);
        }

        // Unset deployment parameters arrive as empty strings: AWS, with the default credential chain.
        var aws = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        aws.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Archive:ServiceUrl"] = "",
            ["Archive:AccessKey"] = "",
            ["Archive:SecretKey"] = "",
        });
        aws.AddAuditArchival();
        using (var awsHost = aws.Build())
        {
            var options = awsHost.Services.GetRequiredService<IOptions<S3ArchiveOptions>>().Value;
            Assert.Null(options.EffectiveServiceUrl);
            Assert.False(options.EffectiveForcePathStyle);
            Assert.True(options.EffectiveUseChunkEncoding);
            Assert.Equal("platform-audit", options.Bucket);
            Assert.Equal("us-east-1", options.Region);
        }

        var invalid = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        invalid.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Archive:ServiceUrl"] = "not a url",
            ["Archive:AccessKey"] = "only-half",
        });
        invalid.AddAuditArchival();
        using var invalidHost = invalid.Build();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => invalidHost.StartAsync(Ct));
        Assert.Contains(failure.Failures, f => f.Contains("ServiceUrl", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("SecretKey", StringComparison.Ordinal));
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private Task<long> CountDayAsync(Guid tenant, DateOnly day) =>
        AuditSeed.CountAsync(fixture, [tenant], before: Start(day).AddDays(1), from: Start(day));

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    /// <summary>Each group has its object and manifest, they agree with each other and with the seeded rows, and the manifests chain.</summary>
    internal static async Task AssertArchivedAsync(ArchiveHarness h, Dictionary<(Guid? Tenant, DateOnly Day), List<SeededRow>> groups)
    {
        foreach (var tenantGroups in groups.GroupBy(g => g.Key.Tenant))
        {
            string? previousKey = null;
            string? previousSha = null;
            foreach (var (group, rows) in tenantGroups.OrderBy(g => g.Key.Day))
            {
                var key = ArchiveHarness.Key(group.Tenant, group.Day);
                var bytes = await h.DownloadAsync(key.ObjectKey);
                var (manifest, manifestSha) = await h.ManifestAsync(key.ManifestKey);
                Assert.Equal(ArchiveKeys.TenantLabel(group.Tenant), manifest.Tenant);
                Assert.Equal(group.Day, manifest.Day);
                Assert.Equal(key.ObjectKey, manifest.ObjectKey);
                Assert.Equal(rows.Count, manifest.RowCount);
                Assert.Equal(ArchiveHarness.Sha256(bytes), manifest.ObjectSha256);
                Assert.Equal(bytes.Length, manifest.ObjectBytes);
                Assert.Equal(rows.Min(r => r.CreatedAt), manifest.FirstCreatedAt);
                Assert.Equal(rows.Max(r => r.CreatedAt), manifest.LastCreatedAt);
                Assert.Equal(previousKey, manifest.PreviousManifestKey);
                Assert.Equal(previousSha, manifest.PreviousManifestSha256);

                var lines = ArchiveHarness.ReadLines(bytes);
                Assert.Equal(rows.Count, lines.Count);
                Assert.Equal(rows.Select(r => r.Id).ToHashSet(), lines.Select(l => l.GetProperty("id").GetGuid()).ToHashSet());
                var createdAt = lines.Select(l => l.GetProperty("createdAt").GetString()!).ToList();
                Assert.Equal(createdAt.Order(StringComparer.Ordinal), createdAt);
                Assert.Equal(manifest.FirstId, lines[0].GetProperty("id").GetGuid());
                Assert.Equal(manifest.LastId, lines[^1].GetProperty("id").GetGuid());
                (previousKey, previousSha) = (key.ManifestKey, manifestSha);
            }
        }
    }
}
