using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Data.Entities;

namespace Platform.Api.Security;

/// <summary>Issues the 15-minute access JWTs; validation is JwtBearer's, with the same key and parameters.</summary>
public sealed class AccessTokens(IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public JwtOptions Options => options.Value;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(Options.AccessTokenMinutes);

    public string Create(User user, Guid sessionId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [PlatformClaims.Subject] = user.Id.ToString(),
            [PlatformClaims.Role] = RoleNames.Of(user.Role),
            [PlatformClaims.Email] = user.Email,
            [PlatformClaims.ActorType] = PlatformClaims.UserActor,
            [PlatformClaims.Session] = sessionId.ToString(),
        };
        if (user.TenantId is { } tenantId)
        {
            claims[PlatformClaims.Tenant] = tenantId.ToString();
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Options.Issuer,
            Audience = Options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey(Options), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>How far a token's times may be off; a token can outlive its expiry by this much.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static SymmetricSecurityKey SigningKey(JwtOptions options) => new(Encoding.UTF8.GetBytes(options.SigningKey));

    public static TokenValidationParameters ValidationParameters(JwtOptions options) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKey = SigningKey(options),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = ClockSkew,
        NameClaimType = PlatformClaims.Subject,
        RoleClaimType = PlatformClaims.Role,
    };
}
