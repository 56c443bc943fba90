using System.ComponentModel.DataAnnotations;
using Platform.Api.Http;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Team;

public sealed record TeamMemberResponse(Guid UserId, string Email, string Name, UserRole Role, bool MfaEnabled, DateTimeOffset JoinedAt);

public sealed record UpdateMemberRequest([property: Required] UserRole? Role);

public sealed record InviteResponse(Guid Id, string Email, UserRole Role, InviteStatus Status, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt);

public sealed record CreateInviteRequest(
    [property: Required, EmailAddress, StringLength(320)] string Email,
    [property: Required] UserRole? Role);

public sealed record CreatedInviteResponse(Guid Id, string Email, UserRole Role, InviteStatus Status, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, string Token);

public sealed record AcceptInviteRequest(
    [property: Required, StringLength(256)] string Token,
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    [property: Required, StringLength(128, MinimumLength = Passwords.MinimumLength)] string Password);

public sealed class InviteListQuery
{
    public QueryEnum<InviteStatus>? Status { get; init; }
}

/// <summary>Which tenant a team or API-key request acts on: the caller's own, or for a platform admin the one named by <c>?tenantId=</c>.</summary>
public sealed class TenantSelector
{
    public Guid? TenantId { get; init; }
}
