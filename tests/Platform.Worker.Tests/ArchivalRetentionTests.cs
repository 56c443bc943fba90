using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>
/// One year of cold storage against s3rver: the retention job deletes the parts whose year is over, oldest first, after
/// recording the oldest kept manifest as the chain's anchor; verify-archive then checks the chain from there, still
/// catches a part missing after it, and catches a tampered anchor. Days are placed around the real cut-offs (90 days
/// hot, then 365 cold), each test in a bucket of its own.
/// </summary>
public sealed class ArchivalRetentionTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private const int RowsPerDay = 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_expired_oldest_parts_go_and_the_chain_still_verifies_from_its_anchor()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var (expired, kept) = await ArchiveYearAsync(h, x);

        // s3rver has no lifecycle configuration: the job alone expires objects.
        Assert.Equal(LifecycleOutcome.NotSupported, await new ArchiveLifecycle(h.Client, h.Options, NullLogger.Instance).ApplyAsync(Ct));
        var lifecycleError = await Assert.ThrowsAsync<AmazonS3Exception>(() => h.Client.GetLifecycleConfigurationAsync(
            new GetLifecycleConfigurationRequest { BucketName = h.Bucket }, Ct));
        Assert.Equal("NotImplemented", lifecycleError.ErrorCode);

        // The oldest part gone after its expiry, as a lifecycle rule would take it before the job runs: not an error.
        await DeletePartAsync(h, ArchiveHarness.Key(x, expired[0]));
        var early = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(early.IsIntact, string.Join("\n", early.Problems));
        Assert.Contains(early.Notes, n => n.Contains("has expired and is gone", StringComparison.Ordinal));

        var counts = await h.ExpireAsync();
        Assert.Equal(expired.Length - 1, counts["objects_deleted"]);
        Assert.Equal(expired.Length - 1, counts["manifests_deleted"]);
        Assert.Equal(1, counts["anchors_moved"]);
        Assert.Equal(0, counts["lifecycle_rule"]);
        var keys = await h.ListAsync();
        Assert.Equal(kept.Length * 2 + 1, keys.Count);
        Assert.All(expired, day => Assert.DoesNotContain(keys.Keys, k => k.StartsWith(ArchiveHarness.Key(x, day).ObjectKey[..^".ndjson.gz".Length], StringComparison.Ordinal)));
        var anchor = ArchiveAnchor.TryParse(await h.DownloadAsync(ArchiveAnchor.KeyOf(x.ToString())), x.ToString())!;
        var (_, anchorSha) = await h.ManifestAsync(ArchiveHarness.Key(x, kept[0]).ManifestKey);
        Assert.Equal(ArchiveHarness.Key(x, kept[0]).ManifestKey, anchor.ManifestKey);
        Assert.Equal(anchorSha, anchor.ManifestSha256);

        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
        Assert.Equal(kept.Length, result.Manifests);
        Assert.Equal(kept.Length * RowsPerDay, result.Rows);
        Assert.Equal(anchor.ManifestKey, result.AnchorManifestKey);
        var (exitCode, output) = await h.VerifyCommandAsync(x.ToString());
        Assert.True(exitCode == 0, output);
        Assert.Contains($"Anchor: {anchor.ManifestKey}", output, StringComparison.Ordinal);

        // A second run has nothing to do; archival goes on extending the chain, which still verifies.
        var again = await h.ExpireAsync();
        Assert.Equal(0, again["objects_deleted"]);
        Assert.Equal(0, again.GetValueOrDefault("anchors_moved"));
        Assert.Equal(keys, await h.ListAsync());
        await AuditSeed.DayAsync(fixture, x, h.CutoffDay.AddDays(-3), RowsPerDay);
        await h.RunAsync(h.Archiver(x));
        result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
        Assert.Equal(kept.Length + 1, result.Manifests);
    }

    [Fact]
    public async Task A_missing_middle_part_or_a_tampered_anchor_fails_verification()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var tenant = x.ToString();
        var (expired, kept) = await ArchiveYearAsync(h, x);

        // The oldest kept part deleted before its time: the job does not anchor over the cut, and deletes nothing.
        var first = ArchiveHarness.Key(x, kept[0]);
        var firstManifest = await h.DownloadAsync(first.ManifestKey);
        await h.Client.DeleteObjectAsync(h.Bucket, first.ManifestKey, Ct);
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(h.ExpireAsync);
        Assert.Contains("refused 1 tenants", refusal.Message, StringComparison.Ordinal);
        Assert.True(await h.ExistsAsync(ArchiveHarness.Key(x, expired[0]).ManifestKey));
        Assert.False(await h.ExistsAsync(ArchiveAnchor.KeyOf(tenant)));
        await h.UploadAsync(first.ManifestKey, firstManifest);
        await h.ExpireAsync();
        await AssertIntactAsync(h, tenant);

        // A middle part missing after the anchor: its object, then its manifest.
        var middle = ArchiveHarness.Key(x, kept[2]);
        var middleObject = await h.DownloadAsync(middle.ObjectKey);
        await h.Client.DeleteObjectAsync(h.Bucket, middle.ObjectKey, Ct);
        await AssertBrokenAsync(h, tenant, middle.ObjectKey);
        await h.UploadAsync(middle.ObjectKey, middleObject);
        var middleManifest = await h.DownloadAsync(middle.ManifestKey);
        await h.Client.DeleteObjectAsync(h.Bucket, middle.ManifestKey, Ct);
        await AssertBrokenAsync(h, tenant, middle.ManifestKey);
        await h.UploadAsync(middle.ManifestKey, middleManifest);
        await AssertIntactAsync(h, tenant);

        // The anchor manifest rewritten: its hash no longer is the one the anchor records.
        var (anchorManifest, _) = await h.ManifestAsync(first.ManifestKey);
        await h.UploadAsync(first.ManifestKey, (anchorManifest with { RowCount = anchorManifest.RowCount + 1 }).ToBytes());
        await AssertBrokenAsync(h, tenant, first.ManifestKey);
        await h.UploadAsync(first.ManifestKey, firstManifest);

        // The anchor record moved on by hand to hide the deletion of a kept part: its predecessor has not expired.
        var anchorKey = ArchiveAnchor.KeyOf(tenant);
        var anchorBytes = await h.DownloadAsync(anchorKey);
        var anchor = ArchiveAnchor.TryParse(anchorBytes, tenant)!;
        var second = ArchiveHarness.Key(x, kept[1]);
        var (_, secondSha) = await h.ManifestAsync(second.ManifestKey);
        await DeletePartAsync(h, first);
        await h.UploadAsync(anchorKey, (anchor with { ManifestKey = second.ManifestKey, ManifestSha256 = secondSha }).ToBytes());
        await AssertBrokenAsync(h, tenant, first.ManifestKey);

        // The anchor record left where it was while its part is deleted: the anchor is missing.
        await h.UploadAsync(anchorKey, anchorBytes);
        await AssertBrokenAsync(h, tenant, $"The chain's anchor {first.ManifestKey}");

        // An anchor record that is not one.
        await h.UploadAsync(anchorKey, "{\"tenant\":\"platform\"}"u8.ToArray());
        await AssertBrokenAsync(h, tenant, anchorKey);
    }

    [Fact]
    public async Task A_tenant_whose_whole_archive_expired_starts_a_new_chain()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var old = new[] { h.CutoffDay.AddDays(-400), h.CutoffDay.AddDays(-380) };
        foreach (var day in old)
        {
            await AuditSeed.DayAsync(fixture, x, day, RowsPerDay);
        }

        await h.RunAsync(h.Archiver(x));
        var counts = await h.ExpireAsync();
        Assert.Equal(2, counts["objects_deleted"]);
        Assert.Empty(await h.ListAsync($"audit/{x}/"));

        await AuditSeed.DayAsync(fixture, x, h.CutoffDay.AddDays(-2), RowsPerDay);
        await h.RunAsync(h.Archiver(x));
        var (manifest, _) = await h.ManifestAsync(ArchiveHarness.Key(x, h.CutoffDay.AddDays(-2)).ManifestKey);
        Assert.Null(manifest.PreviousManifestKey);
        await AssertIntactAsync(h, x.ToString());
    }

    /// <summary>Archives 3 days past their year of cold storage and 4 within it; returns both, oldest first.</summary>
    private async Task<(DateOnly[] Expired, DateOnly[] Kept)> ArchiveYearAsync(ArchiveHarness h, Guid tenant)
    {
        // The cut-off of the cold retention is RetentionDays + ColdRetentionDays before today, CutoffDay - 365.
        DateOnly[] expired = [h.CutoffDay.AddDays(-380), h.CutoffDay.AddDays(-375), h.CutoffDay.AddDays(-370)];
        DateOnly[] kept = [h.CutoffDay.AddDays(-360), h.CutoffDay.AddDays(-355), h.CutoffDay.AddDays(-350), h.CutoffDay.AddDays(-345)];
        foreach (var day in expired.Concat(kept))
        {
            await AuditSeed.DayAsync(fixture, tenant, day, RowsPerDay);
        }

        var counts = await h.RunAsync(h.Archiver(tenant));
        Assert.Equal(expired.Length + kept.Length, counts[AuditArchiver.ObjectsMoved]);
        await AssertIntactAsync(h, tenant.ToString());
        return (expired, kept);
    }

    private static async Task DeletePartAsync(ArchiveHarness h, ArchiveKey key)
    {
        await h.Client.DeleteObjectAsync(h.Bucket, key.ObjectKey, Ct);
        await h.Client.DeleteObjectAsync(h.Bucket, key.ManifestKey, Ct);
    }

    private static async Task AssertIntactAsync(ArchiveHarness h, string tenant)
    {
        var result = await h.Verifier().VerifyAsync(tenant, Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
    }

    /// <summary>Broken, with a problem that names <paramref name="named"/>; the command says so too.</summary>
    private static async Task AssertBrokenAsync(ArchiveHarness h, string tenant, string named)
    {
        var result = await h.Verifier().VerifyAsync(tenant, Ct);
        Assert.False(result.IsIntact);
        Assert.Contains(result.Problems, p => p.Contains(named, StringComparison.Ordinal));
        var (exitCode, output) = await h.VerifyCommandAsync(tenant);
        Assert.True(exitCode == 1, output);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }
}
