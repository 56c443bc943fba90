using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>S3 going away: its own s3rver, since the test stops and starts it.</summary>
public sealed class ArchivalOutageTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_S3_unreachable_nothing_is_deleted_and_the_next_run_finishes_the_job()
    {
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await fixture.Database.CreateTenantAsync();
        var days = new[] { h.CutoffDay.AddDays(-12), h.CutoffDay.AddDays(-11) };
        var seeded = new Dictionary<(Guid? Tenant, DateOnly Day), List<SeededRow>>
        {
            [(x, days[0])] = await AuditSeed.DayAsync(fixture, x, days[0], 300),
            [(x, days[1])] = await AuditSeed.DayAsync(fixture, x, days[1], 200),
        };
        var before = ArchiveHarness.Start(h.CutoffDay);

        // Down from the start: the run fails before touching a row.
        await s3.S3.StopAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => h.RunAsync(h.Archiver(x)));
            Assert.Equal(500, await AuditSeed.CountAsync(fixture, [x], before: before));
        }
        finally
        {
            await s3.S3.StartAgainAsync();
        }

        // Down in the middle (after the second day's upload): the first day is done, the second keeps its rows.
        var archiver = h.Archiver(x);
        archiver.AfterStep = async (step, key) =>
        {
            if (step == ArchiveStep.ObjectStored && key.Day == days[1])
            {
                await s3.S3.StopAsync();
            }
        };
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => h.RunAsync(archiver));
            Assert.Equal(200, await AuditSeed.CountAsync(fixture, [x], before: before));
        }
        finally
        {
            await s3.S3.StartAgainAsync();
        }

        var counts = await h.RunAsync(h.Archiver(x));
        Assert.Equal(200, counts["rows_deleted"]);
        Assert.Equal(1, counts.GetValueOrDefault("objects_reused"));
        Assert.Equal(0, await AuditSeed.CountAsync(fixture, [x], before: before));
        Assert.Equal(4, (await h.ListAsync()).Count);
        await ArchiveAssert.ArchivedAsync(h, seeded);
        var result = await h.Verifier().VerifyAsync(x.ToString(), Ct);
        Assert.True(result.IsIntact, string.Join("\n", result.Problems));
    }
}
