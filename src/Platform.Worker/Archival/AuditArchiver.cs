using System.Diagnostics;
using Amazon.S3;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Worker.Jobs;

namespace Platform.Worker.Archival;

/// <summary>
/// On its schedule (weekly by default): audit rows older than the retention move to S3, one gzip NDJSON object per tenant and UTC day
/// (platform rows under <c>platform</c>) with a manifest beside it that chains to the tenant's previous
/// manifest by SHA-256. For each (tenant, day), oldest first:
/// <list type="number">
/// <item>in one REPEATABLE READ transaction as the application role in platform scope, stream the rows
/// (ordered by created_at, id) into a gzip temp file, hashing the NDJSON and the gzip bytes on the way,
/// so memory stays flat;</item>
/// <item>upload it, unless an object a stopped run left at that key holds exactly these rows, and read it
/// back: size and SHA-256 must match;</item>
/// <item>write the manifest and read it back;</item>
/// <item>delete the group's rows in that same transaction, which sees only the snapshot it exported, so
/// exactly the archived rows go, and commit.</item>
/// </list>
/// Keys are deterministic and nothing is deleted before its object and manifest are verified, so a
/// run stopped anywhere (S3 down, crash after the upload, while writing the manifest, after it) loses no
/// row and leaves no duplicate object: the next run picks up where it stopped. Rows that reach a day after it
/// was archived are archived as a further part of the same day while that day is the chain's head;
/// older than that, they are held in PostgreSQL and the run fails so someone looks at them.
/// </summary>
public sealed class AuditArchiver
{
    public const string JobAction = "job.audit_archival";

    /// <summary>Count in the job's audit row: rows deleted from PostgreSQL because a verified archive object holds them.</summary>
    public const string RowsMoved = "rows_moved";

    /// <summary>Count in the job's audit row: archive objects (with their manifests) whose rows this run deleted from PostgreSQL.</summary>
    public const string ObjectsMoved = "objects_moved";

    private const int MaxParts = 999;

    private readonly S3ArchiveOptions _options;
    private readonly DbContextOptions<PlatformDbContext> _dbOptions;
    private readonly JobAudit _audit;
    private readonly ILogger<AuditArchiver> _logger;
    private readonly TimeProvider _clock;
    private readonly ArchiveStore _store;
    private readonly ArchiveUploader _uploader;
    private readonly StoppedRunRecovery _recovery;
    private readonly TornManifestCheck _tornManifest;

    public AuditArchiver(
        [FromKeyedServices(ArchiveSetup.S3ClientKey)] IAmazonS3 s3,
        IOptions<S3ArchiveOptions> options,
        DbContextOptions<PlatformDbContext> dbOptions,
        JobAudit audit,
        ILogger<AuditArchiver> logger,
        TimeProvider clock)
    {
        _options = options.Value;
        _dbOptions = dbOptions;
        _audit = audit;
        _logger = logger;
        _clock = clock;
        _store = new ArchiveStore(s3, _options);
        _uploader = new ArchiveUploader(_store);
        _recovery = new StoppedRunRecovery(_store, new ArchivedRowDeleter(dbOptions, _options, logger), logger);
        _tornManifest = new TornManifestCheck(_store, dbOptions, _options, logger);
    }

    /// <summary>Test seam: runs after each step of a group, so a test can stop the run there.</summary>
    internal Func<ArchiveStep, ArchiveKey, Task>? AfterStep { get; set; }

    /// <summary>Test seam: restricts the run to these tenants (null = platform rows). Null = every tenant.</summary>
    internal IReadOnlyCollection<Guid?>? OnlyTenants { get; set; }

    public Task RunAsync(CancellationToken cancellationToken) => _audit.RunExclusiveAsync(JobAction, ArchiveAsync, cancellationToken);

    /// <summary>One run without the job's audit row: what <see cref="RunAsync"/> wraps.</summary>
    internal async Task ArchiveAsync(JobCounts counts, CancellationToken cancellationToken)
    {
        var cutoffDay = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime.AddDays(-_options.RetentionDays));
        var cutoff = ArchiveGroup.StartOf(cutoffDay);
        _logger.LogInformation("Archiving audit rows created before {Cutoff:O} to s3://{Bucket}", cutoff, _store.Bucket);
        await _store.EnsureBucketAsync(cancellationToken);

        // Present in the job's audit row even when nothing moved: what a run moved is its outcome.
        counts.Add(RowsMoved, 0);
        counts.Add(ObjectsMoved, 0);
        var run = new RunState(new ArchiveChain(_store, _clock));
        var finder = new ArchiveGroupFinder(_dbOptions, _options, OnlyTenants);
        await using var groups = finder.FindAsync(cutoff, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = await groups.MoveNextAsync() ? ExportAsync(groups.Current, cancellationToken) : null;
        try
        {
            while (next is not null)
            {
                await using var export = await next;

                // The next group is exported while this one is stored, verified and deleted: the export keeps
                // PostgreSQL and a core busy while this group mostly waits on S3. Groups still finish in order.
                next = await groups.MoveNextAsync() ? ExportAsync(groups.Current, cancellationToken) : null;
                counts.Add("groups", 1);
                await ArchiveGroupAsync(export, run, counts, cancellationToken);
            }
        }
        finally
        {
            await ArchiveExport.DiscardAsync(next);
        }

        if (run.FailedGroups > 0 || run.HeldRows > 0)
        {
            throw new InvalidOperationException(
                $"Audit archival is incomplete: {run.FailedGroups} (tenant, day) groups could not be archived and {run.HeldRows} rows are held " +
                "in PostgreSQL; nothing of them was deleted. See the log for each.");
        }
    }

    private Task<ArchiveExport> ExportAsync(ArchiveGroup group, CancellationToken cancellationToken) =>
        ArchiveExport.RunAsync(_dbOptions, group, _options.CompressionLevel, cancellationToken);

    private async Task ArchiveGroupAsync(ArchiveExport export, RunState run, JobCounts counts, CancellationToken cancellationToken)
    {
        var group = export.Group;
        var tenant = ArchiveKeys.TenantLabel(group.TenantId);
        if (run.Blocked.Contains(tenant))
        {
            counts.Add("groups_skipped", 1);
            return;
        }

        var head = await run.Chain.GetHeadAsync(tenant, cancellationToken);
        if (head is { Manifest: null } unreadable)
        {
            // Torn by a run stopped while writing it: the chain goes on from the manifest before, and the part is redone.
            (var resumable, head) = await _tornManifest.StepOverAsync(unreadable, run.Chain, counts, cancellationToken);
            if (!resumable)
            {
                Fail(run, tenant, counts);
                return;
            }
        }

        if (head is not null && head.Key.Day > group.Day)
        {
            _logger.LogError(
                "{Rows} audit rows of {Tenant} from {Day} reached PostgreSQL after the archive had moved past that day (its chain ends at {Head}): they are held, not archived",
                group.RowCount, tenant, group.Day, head.Key.ManifestKey);
            run.HeldRows += group.RowCount;
            counts.Add("rows_held", group.RowCount);
            return;
        }

        if (head is null || head.Key.Day != group.Day)
        {
            await ArchivePartAsync(export, ArchiveKeys.For(tenant, group.Day, 1), head, run, counts, cancellationToken);
            return;
        }

        // The day has a manifest already: a run stopped before deleting its rows, or rows came late.
        if (!await _recovery.FinishPartAsync(group, head, counts, cancellationToken))
        {
            Fail(run, tenant, counts);
            return;
        }

        var part = head.Key.Part + 1;
        if (part > MaxParts)
        {
            _logger.LogError("{Tenant} {Day} already has {Parts} archive parts: late rows are not archived", tenant, group.Day, MaxParts);
            Fail(run, tenant, counts);
            return;
        }

        // The export's snapshot predates the recovery's delete: export what is left again.
        await using var rest = await ExportAsync(group, cancellationToken);
        await ArchivePartAsync(rest, ArchiveKeys.For(tenant, group.Day, part), head, run, counts, cancellationToken);
    }

    private static void Fail(RunState run, string tenant, JobCounts counts)
    {
        run.FailedGroups++;
        run.Blocked.Add(tenant);
        counts.Add("groups_failed", 1);
    }

    private async Task ArchivePartAsync(
        ArchiveExport export, ArchiveKey key, ChainHead? previous, RunState run, JobCounts counts, CancellationToken cancellationToken)
    {
        var (group, file, snapshot) = (export.Group, export.File, export.Snapshot);
        if (export.Written is not { } written)
        {
            return; // the rows went away meanwhile (e.g. the tenant was deleted)
        }

        var watch = Stopwatch.StartNew();
        counts.Add("rows_archived", written.RowCount);
        var leftover = run.Chain.WasListed(key) ? await _recovery.ReuseLeftoverObjectAsync(key, written, counts, cancellationToken) : null;
        var stored = leftover ?? await _uploader.UploadAsync(key, file, written, counts, cancellationToken);
        await StepAsync(ArchiveStep.ObjectStored, key);

        var manifestSha = await run.Chain.AppendAsync(key, written, stored, previous, cancellationToken);
        counts.Add("manifests_written", 1);
        await StepAsync(ArchiveStep.ManifestWritten, key);

        var verified = watch.Elapsed;
        var deleted = await snapshot.DeleteAndCommitAsync(group, written.RowCount, cancellationToken);
        counts.Add("rows_deleted", deleted);
        counts.Add(RowsMoved, deleted);
        counts.Add(ObjectsMoved, 1);
        ArchiveLog.WarnIfRowsWereGone(_logger, group, written.RowCount, deleted);

        _logger.LogInformation(
            "Archived {Rows} audit rows of {Tenant} {Day} to s3://{Bucket}/{Object} ({Bytes} bytes, manifest sha256 {ManifestSha}); deleted {Deleted} rows " +
            "(export {ExportMs} ms, store and verify {StoreMs} ms, delete {DeleteMs} ms)",
            written.RowCount, key.Tenant, key.Day, _store.Bucket, key.ObjectKey, stored.Bytes, manifestSha, deleted,
            (long)export.Elapsed.TotalMilliseconds, (long)verified.TotalMilliseconds, (long)(watch.Elapsed - verified).TotalMilliseconds);
    }

    private async Task StepAsync(ArchiveStep step, ArchiveKey key)
    {
        if (AfterStep is { } hook)
        {
            await hook(step, key);
        }
    }

    private sealed class RunState(ArchiveChain chain)
    {
        public ArchiveChain Chain { get; } = chain;

        /// <summary>Tenants whose chain could not be extended this run: their later days wait too, to keep the chain in order.</summary>
        public HashSet<string> Blocked { get; } = [];

        public int FailedGroups { get; set; }

        public long HeldRows { get; set; }
    }
}
