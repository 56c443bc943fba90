using System.ComponentModel.DataAnnotations;

namespace Platform.Api.ApiKeys;

public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, Guid? CreatedByUserId,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

public sealed record CreateApiKeyRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string Name,
    [property: Required, MinLength(1), MaxLength(5)] string[] Scopes,
    DateTimeOffset? ExpiresAt = null);

/// <summary>The created key; <c>key</c> is shown this once and never again.</summary>
public sealed record CreatedApiKeyResponse(ApiKeyResponse ApiKey, string Key);
