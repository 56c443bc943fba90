using Npgsql;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>
/// A manifest left unreadable as the chain's head. Torn by a run stopped while writing it (s3rver writes objects in
/// place), its part's rows are all still in PostgreSQL: the next run writes the part again over it. Otherwise it is
/// damage, and the tenant is refused with nothing deleted or overwritten.
/// </summary>
public sealed class ArchivalTornManifestTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("first manifest")]
    [InlineData("after a previous day")]
    [InlineData("second part of a day")]
    public async Task A_manifest_torn_by_a_stopped_run_is_written_again_and_the_chain_verifies(string torn)
    {
        using var h = new ArchiveHarness(fixture, s3.S3, deleteBatchSize: 100);
        var x = await fixture.Database.CreateTenantAsync();
        var days = new[] { h.CutoffDay.AddDays(-12), h.CutoffDay.AddDays(-11), h.CutoffDay.AddDays(-10) };
        var seeded = new List<SeededRow>();
        var tornKey = torn switch
        {
            "first manifest" => ArchiveHarness.Key(x, days[0]),
            "after a previous day" => ArchiveHarness.Key(x, days[1]),
            _ => ArchiveHarness.Key(x, days[1], 2),
        };
        seeded.AddRange(await AuditSeed.DayAsync(fixture, x, days[0], 130));
        seeded.AddRange(await AuditSeed.DayAsync(fixture, x, days[1], 250));
        if (tornKey.Part == 2)
        {
            // The day is archived whole first, as the chain's head; a late row then becomes its second part, the one torn.
            await h.RunAsync(h.Archiver(x));
            seeded.AddRange(await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[1]).AddHours(7)]));
        }

        seeded.AddRange(await AuditSeed.DayAsync(fixture, x, days[2], 40));

        var stopped = h.Archiver(x);
        stopped.AfterStep = (step, key) => step == ArchiveStep.ManifestWritten && key == tornKey
            ? throw new IOException("simulated kill")
            : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => h.RunAsync(stopped));
        Assert.Equal(tornKey.Part == 2 ? 1 : seeded.Count(r => DateOnly.FromDateTime(r.CreatedAt.UtcDateTime) == tornKey.Day),
            await AuditSeed.CountDayAsync(fixture, x, tornKey.Day));

        // A torn write: the manifest's first bytes only.
        var whole = await h.DownloadAsync(tornKey.ManifestKey);
        await h.UploadAsync(tornKey.ManifestKey, whole[..(whole.Length / 2)]);
        Assert.Null(ArchiveManifest.TryParse(await h.DownloadAsync(tornKey.ManifestKey)));
        var before = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.Contains(before.Problems, p => p.StartsWith(tornKey.ManifestKey, StringComparison.Ordinal));
        Assert.Contains(before.Notes, n => n.StartsWith(tornKey.ManifestKey + " is the chain's head", StringComparison.Ordinal));
        var tornObjectEtag = (await h.ListAsync())[tornKey.ObjectKey];

        var counts = await h.RunAsync(h.Archiver(x));

        Assert.Equal(1, counts["torn_manifests"]);
        Assert.Equal(1, counts.GetValueOrDefault("objects_reused")); // the torn part's object holds exactly its rows
        Assert.Equal(tornObjectEtag, (await h.ListAsync())[tornKey.ObjectKey]);
        Assert.Equal(0, await AuditSeed.CountAsync(fixture, [x], before: ArchiveHarness.Start(h.CutoffDay)));

        List<ArchiveKey> parts = [.. days.Select(d => ArchiveHarness.Key(x, d))];
        if (tornKey.Part == 2)
        {
            parts.Insert(2, tornKey);
        }

        var keys = await h.ListAsync();
        Assert.Equal(parts.SelectMany(k => new[] { k.ObjectKey, k.ManifestKey }).Order(StringComparer.Ordinal), keys.Keys);
        var archivedIds = new List<Guid>();
        foreach (var part in parts)
        {
            archivedIds.AddRange(ArchiveHarness.ReadLines(await h.DownloadAsync(part.ObjectKey)).Select(l => l.GetProperty("id").GetGuid()));
        }

        Assert.Equal(seeded.Count, archivedIds.Count);
        Assert.Equal(seeded.Select(r => r.Id).ToHashSet(), archivedIds.ToHashSet());

        // The rewritten manifest links to the one before the torn one, or to none when it is the chain's first.
        var (rewritten, _) = await h.ManifestAsync(tornKey.ManifestKey);
        var previous = parts.IndexOf(tornKey) is > 0 and var i ? parts[i - 1].ManifestKey : null;
        Assert.Equal(previous, rewritten.PreviousManifestKey);
        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
        Assert.Empty(result.Notes);
        Assert.Equal(parts.Count, result.Manifests);
        Assert.Equal(seeded.Count, result.Rows);
    }

    [Theory]
    [InlineData("rows deleted")]
    [InlineData("one row gone")]
    [InlineData("object missing")]
    [InlineData("line without an id")]
    [InlineData("previous manifest unreadable")]
    public async Task An_unreadable_head_that_no_stopped_run_explains_is_refused_and_nothing_is_deleted_or_overwritten(string damage)
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var days = new[] { h.CutoffDay.AddDays(-20), h.CutoffDay.AddDays(-19), h.CutoffDay.AddDays(-18) };
        var head = ArchiveHarness.Key(x, days[1]);
        await AuditSeed.DayAsync(fixture, x, days[0], 30);
        var headRows = await AuditSeed.DayAsync(fixture, x, days[1], 50);
        if (damage == "rows deleted")
        {
            await h.RunAsync(h.Archiver(x)); // finished: the head's rows are gone
        }
        else
        {
            var stopped = h.Archiver(x);
            stopped.AfterStep = (step, key) => step == ArchiveStep.ManifestWritten && key == head ? throw new IOException("simulated kill") : Task.CompletedTask;
            await Assert.ThrowsAsync<IOException>(() => h.RunAsync(stopped));
        }

        await h.UploadAsync(head.ManifestKey, "{\"version\":1,\"tenant\":\"garb"u8.ToArray());
        switch (damage)
        {
            case "one row gone":
                await DeleteRowAsync(headRows[17].Id);
                break;
            case "object missing":
                await h.Client.DeleteObjectAsync(h.Bucket, head.ObjectKey, Ct);
                break;
            case "line without an id":
                var lines = ArchiveHarness.ReadLines(await h.DownloadAsync(head.ObjectKey)).Select(l => l.GetRawText()).ToList();
                await h.UploadAsync(head.ObjectKey, ArchiveHarness.Gzip(string.Join("\n", [.. lines[..10], "{\"note\":\"not a row\"}", .. lines[10..]]) + "\n"));
                break;
            case "previous manifest unreadable":
                await h.UploadAsync(ArchiveHarness.Key(x, days[0]).ManifestKey, "not a manifest"u8.ToArray());
                break;
        }

        // A later day to archive: it must wait behind the unreadable head.
        await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[2]).AddHours(4)]);
        var keys = await h.ListAsync();
        var inPostgres = await AuditSeed.CountAsync(fixture, [x]);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync(h.Archiver(x)));

        Assert.Contains("could not be archived", failure.Message, StringComparison.Ordinal);
        Assert.Equal(inPostgres, await AuditSeed.CountAsync(fixture, [x]));
        Assert.Equal(1, await AuditSeed.CountDayAsync(fixture, x, days[2]));
        Assert.Equal(keys, await h.ListAsync());
        Assert.False((await h.Verifier().VerifyAsync(x.ToString(), Ct)).IsIntact);
    }

    private async Task DeleteRowAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("DELETE FROM audit_logs WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
    }
}
