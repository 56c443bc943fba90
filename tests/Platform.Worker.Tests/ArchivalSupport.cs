using Platform.Tests.Support;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>One s3rver per test class; each test uses a bucket of its own.</summary>
public sealed class LocalS3Fixture : IAsyncLifetime
{
    public LocalS3 S3 { get; private set; } = null!;

    public async ValueTask InitializeAsync() => S3 = await LocalS3.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (S3 is not null)
        {
            await S3.DisposeAsync();
        }
    }
}

/// <summary>A clock that stays where a test put it, so a run near midnight UTC cuts where the test expects.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>One seeded audit row, as the test expects to find it in an archive.</summary>
internal sealed record SeededRow(Guid Id, Guid? TenantId, DateTimeOffset CreatedAt);

/// <summary>Assertions on what a run left in the bucket.</summary>
internal static class ArchiveAssert
{
    /// <summary>Each group has its object and manifest, they agree with each other and with the seeded rows, and the manifests chain.</summary>
    public static async Task ArchivedAsync(ArchiveHarness h, Dictionary<(Guid? Tenant, DateOnly Day), List<SeededRow>> groups)
    {
        foreach (var tenantGroups in groups.GroupBy(g => g.Key.Tenant))
        {
            string? previousKey = null;
            string? previousSha = null;
            foreach (var (group, rows) in tenantGroups.OrderBy(g => g.Key.Day))
            {
                var key = ArchiveHarness.Key(group.Tenant, group.Day);
                var bytes = await h.DownloadAsync(key.ObjectKey);
                var (manifest, manifestSha) = await h.ManifestAsync(key.ManifestKey);
                Assert.Equal(ArchiveKeys.TenantLabel(group.Tenant), manifest.Tenant);
                Assert.Equal(group.Day, manifest.Day);
                Assert.Equal(key.ObjectKey, manifest.ObjectKey);
                Assert.Equal(rows.Count, manifest.RowCount);
                Assert.Equal(ArchiveHarness.Sha256(bytes), manifest.ObjectSha256);
                Assert.Equal(bytes.Length, manifest.ObjectBytes);
                Assert.Equal(rows.Min(r => r.CreatedAt), manifest.FirstCreatedAt);
                Assert.Equal(rows.Max(r => r.CreatedAt), manifest.LastCreatedAt);
                Assert.Equal(previousKey, manifest.PreviousManifestKey);
                Assert.Equal(previousSha, manifest.PreviousManifestSha256);

                var lines = ArchiveHarness.ReadLines(bytes);
                Assert.Equal(rows.Count, lines.Count);
                Assert.Equal(rows.Select(r => r.Id).ToHashSet(), lines.Select(l => l.GetProperty("id").GetGuid()).ToHashSet());
                var createdAt = lines.Select(l => l.GetProperty("createdAt").GetString()!).ToList();
                Assert.Equal(createdAt.Order(StringComparer.Ordinal), createdAt);
                Assert.Equal(manifest.FirstId, lines[0].GetProperty("id").GetGuid());
                Assert.Equal(manifest.LastId, lines[^1].GetProperty("id").GetGuid());
                (previousKey, previousSha) = (key.ManifestKey, manifestSha);
            }
        }
    }
}
