using System.Diagnostics;
using System.Globalization;

namespace Platform.Worker.Tests;

/// <summary>
/// One big day: many delete batches and gzip flushes, and a measurement. The row count is
/// <c>PLATFORM_ARCHIVAL_PERF_ROWS</c> (default 20,000); with <c>PLATFORM_ARCHIVAL_PERF_REPORT</c> set
/// to a file path, the figures are appended there too.
/// </summary>
public sealed class ArchivalThroughputTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    [Fact]
    public async Task A_large_day_is_archived_in_bounded_memory()
    {
        var rows = int.TryParse(Environment.GetEnvironmentVariable("PLATFORM_ARCHIVAL_PERF_ROWS"), CultureInfo.InvariantCulture, out var n) ? n : 20_000;
        using var h = new ArchiveHarness(fixture, s3.S3, deleteBatchSize: 5_000);
        var x = await fixture.Database.CreateTenantAsync();
        var day = h.CutoffDay.AddDays(-2);
        await AuditSeed.DayAsync(fixture, x, day, rows);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peakHeap = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();

        var counts = await h.RunAsync(h.Archiver(x));

        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(rows, counts["rows_archived"]);
        Assert.Equal(rows, counts["rows_deleted"]);
        Assert.Equal(0, await AuditSeed.CountAsync(fixture, [x]));
        var manifest = (await h.ManifestAsync(ArchiveHarness.Key(x, day).ManifestKey)).Manifest;
        Assert.Equal(rows, manifest.RowCount);

        var report = string.Create(CultureInfo.InvariantCulture,
            $"{rows} rows in {watch.Elapsed.TotalSeconds:F2} s = {rows / watch.Elapsed.TotalSeconds:F0} rows/s; object {manifest.ObjectBytes / 1024.0 / 1024.0:F2} MiB; " +
            $"managed heap peak {(peakHeap - baseline) / 1024.0 / 1024.0:F1} MiB above baseline; allocated {allocated / 1024.0 / 1024.0:F0} MiB in total; " +
            $"process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0:F0} MiB");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        if (Environment.GetEnvironmentVariable("PLATFORM_ARCHIVAL_PERF_REPORT") is { Length: > 0 } path)
        {
            await File.AppendAllTextAsync(path, report + Environment.NewLine, TestContext.Current.CancellationToken);
        }
    }
}
