using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Security;

/// <summary>Access-token settings (section <c>Jwt</c>); the signing key comes from an Aspire parameter.</summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    [Required]
    public string Issuer { get; set; } = "platform";

    [Required]
    public string Audience { get; set; } = "platform-api";

    /// <summary>HMAC-SHA256 key; at least 32 characters.</summary>
    [Required, MinLength(32)]
    public string SigningKey { get; set; } = "";

    [Range(1, 60)]
    public int AccessTokenMinutes { get; set; } = 15;

    [Range(1, 365)]
    public int RefreshTokenDays { get; set; } = 30;
}
