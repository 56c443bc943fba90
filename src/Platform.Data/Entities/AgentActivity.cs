using System.Text.Json;

namespace Platform.Data.Entities;

public class AgentActivity
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public ActivityType Type { get; set; }
    public string Summary { get; set; } = string.Empty;
    public JsonDocument? Details { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The inserting transaction's id (<c>xid8</c>, set by the database). With <see cref="Id"/> it orders the live feed
    /// by commit safety: every transaction below the current snapshot's xmin has finished, so a reader that stops there
    /// never skips a row that commits later.
    /// </summary>
    public ulong TxId { get; set; }
}
