using System.ComponentModel.DataAnnotations;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Auth;

public sealed record SignupRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string CompanyName,
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    [property: Required, EmailAddress, StringLength(320)] string Email,
    [property: Required, StringLength(128, MinimumLength = Passwords.MinimumLength)] string Password);

public sealed record LoginRequest(
    [property: Required, EmailAddress, StringLength(320)] string Email,
    [property: Required, StringLength(128)] string Password,
    [property: StringLength(32)] string? MfaCode = null);

public sealed record RefreshRequest([property: Required, StringLength(256)] string RefreshToken);

public sealed record MfaCodeRequest([property: Required, StringLength(32, MinimumLength = 6)] string Code);

public sealed record MfaDisableRequest(
    [property: Required, StringLength(128)] string Password,
    [property: Required, StringLength(32, MinimumLength = 6)] string Code);

public sealed record ChangePasswordRequest(
    [property: Required, StringLength(128)] string CurrentPassword,
    [property: Required, StringLength(128, MinimumLength = Passwords.MinimumLength)] string NewPassword);

public sealed record TokenResponse(string AccessToken, string RefreshToken, int ExpiresIn, UserResponse User);

public sealed record MfaSetupResponse(string Secret, string OtpauthUri);

public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

public sealed record UserResponse(
    Guid Id, string Email, string Name, UserRole Role, Guid? TenantId, IReadOnlyList<string> Permissions, bool MfaEnabled, DateTimeOffset CreatedAt)
{
    public static UserResponse From(User user) => new(
        user.Id, user.Email, user.Name, user.Role, user.TenantId, Security.Permissions.ForRole(user.Role), user.MfaEnabled, user.CreatedAt);
}
