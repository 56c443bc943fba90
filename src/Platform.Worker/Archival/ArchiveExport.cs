using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Platform.Data;

namespace Platform.Worker.Archival;

/// <summary>
/// A group's rows written to a temp file inside its still-open <see cref="ArchiveSnapshot"/>: what the archiver
/// then stores, verifies, and deletes by committing the snapshot. Disposing it rolls back and deletes the file.
/// </summary>
internal sealed class ArchiveExport : IAsyncDisposable
{
    private ArchiveExport(ArchiveGroup group, FileStream file, ArchiveSnapshot snapshot, WrittenArchive? written, TimeSpan elapsed)
    {
        Group = group;
        File = file;
        Snapshot = snapshot;
        Written = written;
        Elapsed = elapsed;
    }

    public ArchiveGroup Group { get; }

    public FileStream File { get; }

    public ArchiveSnapshot Snapshot { get; }

    /// <summary>Null when the group had no rows left (e.g. its tenant was deleted meanwhile).</summary>
    public WrittenArchive? Written { get; }

    public TimeSpan Elapsed { get; }

    public static async Task<ArchiveExport> RunAsync(
        DbContextOptions<PlatformDbContext> dbOptions, ArchiveGroup group, int compressionLevel, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var file = ArchiveFileWriter.CreateTempFile();
        ArchiveSnapshot? snapshot = null;
        try
        {
            snapshot = await ArchiveSnapshot.BeginAsync(dbOptions, cancellationToken);
            var written = await ArchiveFileWriter.WriteAsync(snapshot, group, file, compressionLevel, cancellationToken);
            return new ArchiveExport(group, file, snapshot, written, watch.Elapsed);
        }
        catch
        {
            if (snapshot is not null)
            {
                await snapshot.DisposeAsync();
            }

            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rolls back an export a failing run no longer needs; the export's own failure, if any, is moot.</summary>
    public static async Task DiscardAsync(Task<ArchiveExport>? export)
    {
        if (export is null)
        {
            return;
        }

        try
        {
            await (await export).DisposeAsync();
        }
        catch (Exception)
        {
            // Nothing was stored or deleted for it; the run reports its own failure.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Snapshot.DisposeAsync();
        await File.DisposeAsync();
    }
}
