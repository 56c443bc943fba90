namespace Platform.Worker.Archival;

/// <summary>
/// Which archive objects have outlived their cold retention. The object and manifest of UTC day D expire when
/// D + 1 + <see cref="S3ArchiveOptions.RetentionDays"/> + <see cref="S3ArchiveOptions.ColdRetentionDays"/> is past:
/// a year after the day's rows were due for archival. Decided by the key's day (the manifest's <c>day</c>, which the
/// verifier checks against the key), not by S3's LastModified:
/// <list type="bullet">
/// <item>LastModified is when an object was last written, not how old its rows are: a late run over a backlog, a
/// stopped run's object replaced by the next one, a restore or a copy to another bucket would all start its year
/// again, and a day's object and manifest are written at different times (a reused leftover object long before its
/// manifest), so one could go without the other;</item>
/// <item>keys sort in chain order, so the expired keys are always the chain's oldest: deleting them never cuts a hole
/// in the middle, the oldest kept manifest is a well-defined anchor, and the verifier recomputes the same set.</item>
/// </list>
/// </summary>
public static class ArchiveExpiry
{
    /// <summary>The oldest day that is still kept at <paramref name="now"/>: every earlier day has expired.</summary>
    public static DateOnly FirstKeptDay(DateTimeOffset now, S3ArchiveOptions options) =>
        DateOnly.FromDateTime(now.UtcDateTime).AddDays(-(options.RetentionDays + options.ColdRetentionDays));

    public static bool HasExpired(ArchiveKey key, DateOnly firstKeptDay) => key.Day < firstKeptDay;
}
