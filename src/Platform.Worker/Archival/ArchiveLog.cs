namespace Platform.Worker.Archival;

/// <summary>What both ways of deleting archived rows report the same way.</summary>
internal static class ArchiveLog
{
    /// <summary>Fewer rows deleted than archived: something else (a tenant's deletion) removed the rest first.</summary>
    public static void WarnIfRowsWereGone(ILogger logger, ArchiveGroup group, long archived, long deleted)
    {
        if (deleted < archived)
        {
            logger.LogWarning("{Missing} of the {Rows} archived rows of {Tenant} {Day} were already gone from PostgreSQL",
                archived - deleted, archived, ArchiveKeys.TenantLabel(group.TenantId), group.Day);
        }
    }
}
