using System.Net;
using Amazon.S3;
using Npgsql;
using Platform.Tests.Support;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>Where the seeded audit rows of some tenants are at one moment: in PostgreSQL, in S3 under a manifest, in an object without one.</summary>
internal sealed class ArchiveCensus(PlatformDatabase database, ArchiveHarness archive, IReadOnlyCollection<Guid?> tenants)
{
    public static string ManifestOf(string objectKey) => ArchiveKeys.TryParse(objectKey, out var key, out _) ? key.ManifestKey : "";

    /// <summary>The bucket's archive keys and what each is.</summary>
    public async Task<Dictionary<string, ArchiveKeyKind>> KeysAsync()
    {
        var keys = new Dictionary<string, ArchiveKeyKind>(StringComparer.Ordinal);
        SortedDictionary<string, string> listed;
        try
        {
            listed = await archive.ListAsync();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return keys; // the run has not created the bucket yet
        }

        foreach (var key in listed.Keys)
        {
            if (ArchiveKeys.TryParse(key, out _, out var kind))
            {
                keys[key] = kind;
            }
        }

        return keys;
    }

    public Task<long> RowsInPostgresAsync() => AuditSeed.CountAsync(database, tenants);

    public async Task<RowCensus> TakeAsync()
    {
        var inPostgres = await IdsInPostgresAsync();
        var keys = await KeysAsync();
        var underManifest = new HashSet<Guid>();
        var withoutManifest = new HashSet<Guid>();
        var objectsWithoutManifest = new List<string>();
        var duplicates = 0;
        foreach (var objectKey in keys.Where(k => k.Value == ArchiveKeyKind.Data).Select(k => k.Key))
        {
            var manifested = keys.ContainsKey(ManifestOf(objectKey));
            if (!manifested)
            {
                objectsWithoutManifest.Add(objectKey);
            }

            foreach (var line in ArchiveHarness.ReadLines(await archive.DownloadAsync(objectKey)))
            {
                var id = line.GetProperty("id").GetGuid();
                if (manifested && !underManifest.Add(id))
                {
                    duplicates++;
                }
                else if (!manifested)
                {
                    withoutManifest.Add(id);
                }
            }
        }

        return new RowCensus(inPostgres, underManifest, withoutManifest, objectsWithoutManifest, duplicates);
    }

    private async Task<HashSet<Guid>> IdsInPostgresAsync()
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(ArchiveHarness.Ct);
        await using var command = new NpgsqlCommand(
            "SELECT id FROM audit_logs WHERE tenant_id = ANY(@tenants) AND action LIKE 'test.archival%'", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("tenants", tenants.OfType<Guid>().ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ArchiveHarness.Ct);
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync(ArchiveHarness.Ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}

/// <summary>One <see cref="ArchiveCensus"/>: the row ids in each place, and ids found in two manifested objects.</summary>
internal sealed record RowCensus(
    HashSet<Guid> InPostgres, HashSet<Guid> UnderManifest, HashSet<Guid> InObjectsWithoutManifest, List<string> ObjectsWithoutManifest, int DuplicateIds)
{
    /// <summary>Rows gone from PostgreSQL that no manifest covers: lost.</summary>
    public List<Guid> DeletedButNotArchived(IEnumerable<Guid> seeded) => [.. seeded.Where(id => !InPostgres.Contains(id) && !UnderManifest.Contains(id))];

    public string Describe() =>
        $"{InPostgres.Count} rows in PostgreSQL; {UnderManifest.Count} under a manifest, {InPostgres.Count(UnderManifest.Contains)} of them not yet deleted; " +
        $"{ObjectsWithoutManifest.Count} object(s) without a manifest holding {InObjectsWithoutManifest.Count} rows, " +
        $"{InObjectsWithoutManifest.Count(InPostgres.Contains)} of them still in PostgreSQL";
}
