using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Platform.Worker.Archival;

/// <summary>
/// Writes a group's rows, ordered by created_at and id, as gzip NDJSON into a temp file, hashing the NDJSON
/// and the gzip bytes on the way, so memory stays flat however big the day is. The rows come by binary COPY
/// inside the group's <see cref="ArchiveSnapshot"/> and are formatted straight from the wire bytes: no row
/// object, no string per value.
/// </summary>
internal static class ArchiveFileWriter
{
    private const int FlushBytes = 64 * 1024;

    private static string ExportSql(string condition) => $"""
        COPY (
            SELECT id, tenant_id, actor_type::text, actor_id, action, target_type::text, target_id, severity::text,
                   details::text, abbrev(ip_address), user_agent, created_at
            FROM audit_logs
            WHERE {condition}
            ORDER BY created_at, id
        ) TO STDOUT (FORMAT binary)
        """;

    public static FileStream CreateTempFile() =>
        new(Path.Combine(Path.GetTempPath(), $"platform-audit-archive-{Guid.NewGuid():N}.ndjson.gz"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 64 * 1024, FileOptions.Asynchronous | FileOptions.DeleteOnClose);

    /// <summary>Streams the group's rows as of <paramref name="snapshot"/> into <paramref name="file"/>; null when it has none.</summary>
    public static async Task<WrittenArchive?> WriteAsync(
        ArchiveSnapshot snapshot, ArchiveGroup group, FileStream file, int compressionLevel, CancellationToken cancellationToken)
    {
        using var ndjsonHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
        long rows = 0;
        (DateTimeOffset CreatedAt, Guid Id) first = default, last = default;

        await using var hashing = new HashingStream(file, leaveOpen: true);
        await using (var gzip = new GZipStream(hashing, new ZLibCompressionOptions { CompressionLevel = compressionLevel }, leaveOpen: true))
        {
            await using var json = new Utf8JsonWriter(buffer, ArchiveLine.WriterOptions);
            await using (var copy = await snapshot.Connection.BeginRawBinaryCopyAsync(ExportSql(group.RowConditionLiteral()), cancellationToken))
            {
                var reader = new BinaryCopyReader(copy, ArchiveLine.FieldCount);
                while (await reader.ReadAsync(cancellationToken))
                {
                    json.Reset(buffer);
                    last = ArchiveLine.Write(json, reader);
                    json.Flush();
                    buffer.Write("\n"u8);
                    if (rows++ == 0)
                    {
                        first = last;
                    }

                    if (buffer.WrittenCount >= FlushBytes)
                    {
                        await FlushAsync();
                    }
                }
            }

            await FlushAsync();

            async Task FlushAsync()
            {
                ndjsonHash.AppendData(buffer.WrittenSpan);
                await gzip.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await file.FlushAsync(cancellationToken);
        if (rows == 0)
        {
            return null;
        }

        return new WrittenArchive(rows, first.CreatedAt, first.Id, last.CreatedAt, last.Id,
            hashing.Sha256Hex(), hashing.BytesProcessed, Convert.ToHexStringLower(ndjsonHash.GetHashAndReset()));
    }
}

/// <summary>What <see cref="ArchiveFileWriter"/> wrote: the rows' range, the gzip file's hash and size, the NDJSON's hash.</summary>
internal sealed record WrittenArchive(
    long RowCount, DateTimeOffset FirstCreatedAt, Guid FirstId, DateTimeOffset LastCreatedAt, Guid LastId,
    string ObjectSha256, long ObjectBytes, string NdjsonSha256);
