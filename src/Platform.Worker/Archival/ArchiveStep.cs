namespace Platform.Worker.Archival;

/// <summary>Where a test may stop a run (<see cref="AuditArchiver.AfterStep"/>).</summary>
internal enum ArchiveStep
{
    /// <summary>The object is uploaded (or reused) and verified; no manifest yet, nothing deleted.</summary>
    ObjectStored,

    /// <summary>The manifest is written and verified; nothing deleted yet.</summary>
    ManifestWritten,
}
