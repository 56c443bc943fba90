using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Archival;

/// <summary>
/// Writes a group's rows, ordered by created_at and id, as gzip NDJSON into a temp file, hashing the NDJSON
/// and the gzip bytes on the way, so memory stays flat however big the day is. Rows are read as the
/// application role in platform scope.
/// </summary>
internal sealed class ArchiveFileWriter(DbContextOptions<PlatformDbContext> dbOptions)
{
    public static FileStream CreateTempFile() =>
        new(Path.Combine(Path.GetTempPath(), $"platform-audit-archive-{Guid.NewGuid():N}.ndjson.gz"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 64 * 1024, FileOptions.Asynchronous | FileOptions.DeleteOnClose);

    /// <summary>Streams the group's rows into <paramref name="file"/>; null when it has none.</summary>
    public async Task<WrittenArchive?> WriteAsync(ArchiveGroup group, FileStream file, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT id, tenant_id, actor_type::text AS actor_type, actor_id, action, target_type::text AS target_type, target_id,
                   severity::text AS severity, details::text AS details, abbrev(ip_address) AS ip_address, user_agent, created_at
            FROM audit_logs
            WHERE {group.RowCondition()}
            ORDER BY created_at, id
            """;

        using var ndjsonHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new ArrayBufferWriter<byte>(128 * 1024);
        long rows = 0;
        ArchiveRow? first = null;
        (DateTimeOffset CreatedAt, Guid Id) last = default;

        await using var hashing = new HashingStream(file, leaveOpen: true);
        await using (var gzip = new GZipStream(hashing, CompressionLevel.Optimal, leaveOpen: true))
        {
            await using var json = new Utf8JsonWriter(buffer);
            await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
            var query = db.Database.SqlQueryRaw<ArchiveRow>(sql, [.. group.RowParameters()]);
            await foreach (var row in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                json.Reset(buffer);
                WriteRow(json, row);
                json.Flush();
                buffer.Write("\n"u8);
                rows++;
                first ??= row;
                last = (row.CreatedAt, row.Id);
                if (buffer.WrittenCount >= 64 * 1024)
                {
                    await FlushAsync();
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
        if (first is null)
        {
            return null;
        }

        return new WrittenArchive(rows, first.CreatedAt, first.Id, last.CreatedAt, last.Id,
            hashing.Sha256Hex(), hashing.BytesProcessed, Convert.ToHexStringLower(ndjsonHash.GetHashAndReset()));
    }

    /// <remarks>The id comes first: <see cref="ArchivedRowDeleter"/> reads it from the start of each line.</remarks>
    private static void WriteRow(Utf8JsonWriter json, ArchiveRow row)
    {
        json.WriteStartObject();
        json.WriteString("id", row.Id);
        WriteGuid(json, "tenantId", row.TenantId);
        json.WriteString("actorType", row.ActorType);
        WriteGuid(json, "actorId", row.ActorId);
        json.WriteString("action", row.Action);
        json.WriteString("targetType", row.TargetType);
        WriteGuid(json, "targetId", row.TargetId);
        json.WriteString("severity", row.Severity);
        json.WritePropertyName("details");
        if (row.Details is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(row.Details);
        }

        json.WriteString("ipAddress", row.IpAddress);
        json.WriteString("userAgent", row.UserAgent);
        json.WriteString("createdAt", row.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }

    private static void WriteGuid(Utf8JsonWriter json, string name, Guid? value)
    {
        if (value is { } id)
        {
            json.WriteString(name, id);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

/// <summary>What <see cref="ArchiveFileWriter"/> wrote: the rows' range, the gzip file's hash and size, the NDJSON's hash.</summary>
internal sealed record WrittenArchive(
    long RowCount, DateTimeOffset FirstCreatedAt, Guid FirstId, DateTimeOffset LastCreatedAt, Guid LastId,
    string ObjectSha256, long ObjectBytes, string NdjsonSha256);

/// <summary>One audit row as it is archived: enums, inet and jsonb as PostgreSQL prints them.</summary>
internal sealed class ArchiveRow
{
    public Guid Id { get; set; }

    public Guid? TenantId { get; set; }

    public string ActorType { get; set; } = string.Empty;

    public Guid? ActorId { get; set; }

    public string Action { get; set; } = string.Empty;

    public string? TargetType { get; set; }

    public Guid? TargetId { get; set; }

    public string Severity { get; set; } = string.Empty;

    public string? Details { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
