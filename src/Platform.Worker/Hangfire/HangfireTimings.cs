namespace Platform.Worker.Hangfire;

/// <summary>
/// How fast Hangfire notices a dead worker. A killed worker's job must run again within minutes, not after
/// Hangfire.PostgreSql's defaults (30-minute invisibility, 10-minute lock expiry, a dead server listed for 10 minutes).
/// Our jobs take their own <see cref="Jobs.JobLock"/>, so none of these bounds has to cover a whole job run.
/// </summary>
internal static class HangfireTimings
{
    /// <summary>
    /// A fetched job nobody keeps alive is handed out again after this. With the sliding timeout a running job's
    /// fetch time is refreshed every fifth of it, so a live job misses five refreshes in a row before another worker
    /// may take it (and that second run then finds the job's lock held and skips); a killed worker's job becomes
    /// fetchable this long after its last refresh.
    /// </summary>
    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Idle workers look for jobs this often. New jobs wake the local workers at once; the poll is what finds a job
    /// whose worker died or that another process enqueued. A few cheap queries a minute per worker thread.
    /// </summary>
    public static readonly TimeSpan QueuePollInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Hangfire's lock rows have no heartbeat: one older than this is deleted by the next process that wants it, so a
    /// killed holder blocks scheduling this long at most. It must stay above the longest a lock is legitimately held;
    /// the remaining ones (recurring and delayed job scheduling, a job's state change, expiration batches) are held for
    /// a statement or a short pass each, since our jobs no longer hold one for a whole run.
    /// </summary>
    public static readonly TimeSpan DistributedLockTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A server whose heartbeat is older than <see cref="ServerTimeout"/> is removed by any other server's watchdog,
    /// which looks every <see cref="ServerCheckInterval"/>: a dead worker leaves the dashboard within about a minute
    /// and a half. Six heartbeats fit in the timeout, so a slow database moment does not remove a live server.
    /// </summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan ServerTimeout = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan ServerCheckInterval = TimeSpan.FromSeconds(30);
}
