namespace Platform.Data.Entities;

public class ApiKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public string Name { get; set; } = string.Empty;

    /// <summary>The public start of the key, shown in lists and used to find the row.</summary>
    public string Prefix { get; set; } = string.Empty;

    public string KeyHash { get; set; } = string.Empty;
    public List<string> Scopes { get; set; } = [];
    public Guid? CreatedByUserId { get; set; }

    /// <summary>Set on the key the platform gives an agent's runtime (scope <c>runtime</c>): it works for that agent only.</summary>
    public Guid? AgentId { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
