namespace Platform.Data.Entities;

/// <summary>
/// A short-lived, single-use credential for what a browser cannot send a header to: an <c>EventSource</c> stream or the
/// worker's jobs dashboard. Only its SHA-256 hash is stored; it stands for the caller that asked for it (a user's
/// session or an API key), who must still be valid when it is used.
/// </summary>
public class AccessTicket
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string TokenHash { get; set; } = string.Empty;
    public AccessTicketPurpose Purpose { get; set; }

    /// <summary>The caller's tenant; null for a platform admin.</summary>
    public Guid? TenantId { get; set; }

    /// <summary>Set when a user asked for it, with <see cref="SessionId"/>; else <see cref="ApiKeyId"/> is set.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The user's session (refresh-token family): the ticket dies with it.</summary>
    public Guid? SessionId { get; set; }

    public Guid? ApiKeyId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Stored as text (<c>stream</c>, <c>hangfire</c>); a ticket opens only what it was issued for.</summary>
public enum AccessTicketPurpose { Stream, Hangfire }
