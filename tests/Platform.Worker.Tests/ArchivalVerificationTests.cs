namespace Platform.Worker.Tests;

/// <summary>Objects and manifests that do not match what was written: reported by the verifier, and no row is deleted on their word.</summary>
public sealed class ArchivalVerificationTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
        await h.UploadAsync(second.ObjectKey, ArchiveHarness.Gzip("{\"id\":\"00000000-0000-0000-0000-000000000001\"}\n"));
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
        await h.UploadAsync(head.ObjectKey, ArchiveHarness.Gzip("tampered\n"));
        await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[2]).AddHours(3)]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(h.Archiver(x)));
        Assert.Equal(1, await AuditSeed.CountDayAsync(fixture, x, days[2]));

        // Nor does it chain onto a head manifest it cannot read.
        await h.UploadAsync(head.ManifestKey, "not a manifest"u8.ToArray());
        await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[2]).AddDays(1)]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(h.Archiver(x)));
        Assert.Equal(1, await AuditSeed.CountDayAsync(fixture, x, days[2].AddDays(1)));
        Assert.False(await h.ExistsAsync(ArchiveHarness.Key(x, days[2].AddDays(1)).ObjectKey));
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
        Assert.Equal(200, await AuditSeed.CountDayAsync(fixture, x, day));
        Assert.False(await h.ExistsAsync(ArchiveHarness.Key(x, day).ManifestKey));

        // Fixed configuration: the next run replaces the corrupted object and finishes.
        using var fixedHarness = new ArchiveHarness(fixture, s3.S3, h.Now, bucket: h.Bucket);
        var counts = await fixedHarness.RunAsync(fixedHarness.Archiver(x));
        Assert.Equal(1, counts["objects_uploaded"]);
        Assert.Equal(200, counts["rows_deleted"]);
        Assert.True((await fixedHarness.Verifier().VerifyAsync(x.ToString(), Ct)).IsIntact);
    }
}
