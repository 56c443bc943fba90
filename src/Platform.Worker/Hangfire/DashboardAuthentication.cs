using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Worker.Hangfire;

/// <summary>
/// The jobs dashboard accepts the API's access tokens (same key, issuer and audience), so outside
/// Development only a platform admin's bearer token opens it.
/// </summary>
public static class DashboardAuthentication
{
    public static IHostApplicationBuilder AddDashboardAuthentication(this IHostApplicationBuilder builder)
    {
        var jwt = builder.Configuration.GetSection("Jwt");
        var key = jwt["SigningKey"];
        var authentication = builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        authentication.AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt["Issuer"] ?? "platform",
                ValidAudience = jwt["Audience"] ?? "platform-api",
                // Without a key no token validates: the dashboard stays closed outside Development.
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key is { Length: >= 32 } ? key : Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"))),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                NameClaimType = "sub",
                RoleClaimType = "role",
            };
        });
        builder.Services.AddAuthorization();
        return builder;
    }
}
