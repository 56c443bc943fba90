using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>
/// A run stopped between upload and delete, or rows written while a day is archived: the next run finishes
/// without losing or duplicating a row.
/// </summary>
public sealed class ArchivalCrashTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
        Assert.Equal(0, await AuditSeed.CountDayAsync(fixture, x, days[0]));
        Assert.Equal(250, await AuditSeed.CountDayAsync(fixture, x, days[1]));
        Assert.Equal(60, await AuditSeed.CountDayAsync(fixture, x, days[2]));
        Assert.True(await h.ExistsAsync(ArchiveHarness.Key(x, days[1]).ObjectKey));
        Assert.Equal(crashAfter == ArchiveStep.ManifestWritten, await h.ExistsAsync(ArchiveHarness.Key(x, days[1]).ManifestKey));
        Assert.False(await h.ExistsAsync(ArchiveHarness.Key(x, days[2]).ObjectKey));

        if (rowArrivesBeforeRerun)
        {
            var late = await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(days[1]).AddHours(12).AddTicks(30)]);
            seeded[(x, days[1])].AddRange(late);
        }

        var counts = await h.RunAsync(h.Archiver(x));

        Assert.Equal(0, await AuditSeed.CountAsync(fixture, [x], before: ArchiveHarness.Start(h.CutoffDay)));
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
    public async Task A_row_written_into_a_day_while_it_is_archived_stays_and_becomes_the_next_part()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var day = h.CutoffDay.AddDays(-4);
        var seeded = await AuditSeed.DayAsync(fixture, x, day, 120);
        List<SeededRow> late = [];

        // Between the export and the delete: the row is committed while the day's rows are being stored.
        var archiver = h.Archiver(x);
        archiver.AfterStep = async (step, _) =>
        {
            if (step == ArchiveStep.ObjectStored && late.Count == 0)
            {
                late.AddRange(await AuditSeed.RowsAsync(fixture, x, [ArchiveHarness.Start(day).AddHours(3)]));
            }
        };
        var counts = await h.RunAsync(archiver);

        Assert.Equal(120, counts["rows_deleted"]);
        Assert.Equal(1, await AuditSeed.CountDayAsync(fixture, x, day));
        var firstPart = ArchiveHarness.ReadLines(await h.DownloadAsync(ArchiveHarness.Key(x, day).ObjectKey)).Select(l => l.GetProperty("id").GetGuid());
        Assert.Equal(seeded.Select(r => r.Id).ToHashSet(), firstPart.ToHashSet());

        await h.RunAsync(h.Archiver(x));
        Assert.Equal(0, await AuditSeed.CountDayAsync(fixture, x, day));
        var secondPart = ArchiveHarness.ReadLines(await h.DownloadAsync(ArchiveHarness.Key(x, day, 2).ObjectKey)).Select(l => l.GetProperty("id").GetGuid());
        Assert.Equal([late.Single().Id], secondPart);
        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
        Assert.Equal(121, result.Rows);
    }
}
