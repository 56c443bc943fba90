using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;

namespace Platform.Data.Webhooks;

/// <summary>
/// Writes an event to the outbox in the caller's transaction, so it commits or fails with the change that caused it; the
/// worker fans it out to the matching webhooks and delivers it. <see cref="Add"/> joins the next SaveChanges;
/// <see cref="InsertAsync"/> is for code that changes rows with SQL (the poller's alert store).
/// </summary>
public static class WebhookOutbox
{
    /// <summary>As the API writes its responses, so <c>data</c> has the resource's API shape.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static WebhookEvent Add(PlatformDbContext db, string type, Guid? tenantId, object data, DateTimeOffset now)
    {
        var row = New(type, tenantId, data, now);
        db.WebhookEvents.Add(row);
        return row;
    }

    public static async Task<WebhookEvent> InsertAsync(PlatformDbContext db, string type, Guid? tenantId, object data, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = New(type, tenantId, data, now);
        var json = row.Data.RootElement.GetRawText();
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO webhook_events (id, tenant_id, type, data, trace_parent, created_at)
            VALUES ({row.Id}, {row.TenantId}, {row.Type}, CAST({json} AS jsonb), {row.TraceParent}, {row.CreatedAt})
            """,
            cancellationToken);
        return row;
    }

    private static WebhookEvent New(string type, Guid? tenantId, object data, DateTimeOffset now) => new()
    {
        TenantId = tenantId,
        Type = type,
        Data = JsonSerializer.SerializeToDocument(data, data.GetType(), Json),
        TraceParent = Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null,
        CreatedAt = now,
    };
}
