namespace Platform.Data.Entities;

/// <summary>
/// A change to security state that every API replica must apply within seconds (a revoked key, a suspended
/// tenant, a revoked session): written in the transaction of the change itself and polled by each replica, so
/// no replica depends on a message bus to stop honouring a revoked credential.
/// </summary>
public class SecurityChange
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public SecurityChangeKind Kind { get; set; }

    /// <summary>The key prefix, tenant id or refresh-token family (session) id the change is about.</summary>
    public string Subject { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public static SecurityChange ApiKeyRevoked(string prefix, DateTimeOffset at) => new() { Kind = SecurityChangeKind.ApiKey, Subject = prefix, CreatedAt = at };

    public static SecurityChange TenantChanged(Guid tenantId, DateTimeOffset at) => new() { Kind = SecurityChangeKind.Tenant, Subject = tenantId.ToString(), CreatedAt = at };

    public static SecurityChange SessionRevoked(Guid familyId, DateTimeOffset at) => new() { Kind = SecurityChangeKind.Session, Subject = familyId.ToString(), CreatedAt = at };
}

/// <summary>Stored as text (<c>api_key</c>, <c>tenant</c>, <c>session</c>): internal state, not part of the API's enums.</summary>
public enum SecurityChangeKind { ApiKey, Tenant, Session }
