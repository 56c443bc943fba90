namespace Platform.Data.Entities;

/// <summary>
/// An endpoint that receives a tenant's events, signed as Standard Webhooks says. <see cref="TenantId"/> null makes it
/// platform-wide: a platform admin's, receiving the events that belong to no tenant (e.g. <c>docker_unreachable</c>).
/// Row-level security shows such a row only to platform scope, as it does every tenant-less row.
/// </summary>
public class Webhook
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? TenantId { get; set; }
    public string Url { get; set; } = string.Empty;
    public string[] Events { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public string? Description { get; set; }

    /// <summary>The signing secret (<c>whsec_…</c>), encrypted with Data Protection; never returned after creation.</summary>
    public string SecretCipher { get; set; } = string.Empty;

    /// <summary>The secret before the last rotation, which still signs until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecretCipher { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>Why the platform disabled it (gone, failing); null when enabled or disabled by a user.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>When its current run of failed deliveries began; cleared by a success.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
