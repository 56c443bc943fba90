using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Data.Tenancy;
using Platform.ServiceDefaults.Tickets;

namespace Platform.Worker.Hangfire;

/// <summary>
/// <c>GET /hangfire/sign-in?ticket=</c>: a browser's way into the jobs dashboard. Consumes a dashboard ticket the API issued
/// to a platform admin (<c>POST /api/v1/platform/dashboard-tickets</c>), checks that the admin is still one and their
/// session has not ended, audits the sign-in, sets the dashboard cookie and redirects to the dashboard.
/// </summary>
public static class DashboardSignIn
{
    public const string Path = HangfireSetup.DashboardPath + "/sign-in";
    public const string AuditAction = "platform.dashboard_signed_in";

    public static WebApplication MapDashboardSignIn(this WebApplication app)
    {
        app.MapGet(Path, SignInAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task SignInAsync(HttpContext http, DbContextOptions<PlatformDbContext> dbOptions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var presented = http.Features.Get<PresentedTicket>()?.Value ?? string.Empty;
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var ticket = await AccessTickets.ConsumeAsync(db, presented, AccessTicketPurpose.Hangfire, clock.GetUtcNow(), cancellationToken);
        if (ticket is not { UserId: { } userId, SessionId: { } sessionId })
        {
            await DashboardProblems.UnauthorizedAsync(http, "invalid_ticket", "The ticket is unknown, used or expired. " + DashboardProblems.SignInHint);
            return;
        }

        // A session ends by a security change (logout, password or role change, removal), which the cleanup keeps for a day.
        var session = sessionId.ToString();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Role, u.Email }).FirstOrDefaultAsync(cancellationToken);
        var ended = await db.SecurityChanges.AnyAsync(c => c.Kind == SecurityChangeKind.Session && c.Subject == session, cancellationToken);
        if (user is null || ended)
        {
            await DashboardProblems.UnauthorizedAsync(http, "invalid_ticket", "The session this ticket was issued to has ended. " + DashboardProblems.SignInHint);
            return;
        }

        if (user.Role != UserRole.PlatformAdmin)
        {
            await DashboardProblems.ForbiddenAsync(http);
            return;
        }

        // Audited before the cookie is set: no sign-in without its row.
        db.AuditLogs.Add(new AuditLog
        {
            ActorType = AuditActorType.User,
            ActorId = userId,
            Action = AuditAction,
            TargetType = AuditTargetType.User,
            TargetId = userId,
            Severity = AuditSeverity.Warning,
            Details = JsonSerializer.SerializeToDocument(new Dictionary<string, string> { ["dashboard"] = HangfireSetup.DashboardPath }),
            IpAddress = http.Connection.RemoteIpAddress,
            UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null,
            CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);

        var identity = new ClaimsIdentity(
            [new Claim("sub", userId.ToString()), new Claim("role", DashboardAuthentication.PlatformAdminRole), new Claim("email", user.Email), new Claim("sid", session)],
            DashboardAuthentication.CookieScheme, "sub", "role");
        await http.SignInAsync(DashboardAuthentication.CookieScheme, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            IsPersistent = true,
            ExpiresUtc = clock.GetUtcNow() + DashboardAuthentication.CookieLifetime,
        });
        http.Response.Redirect(HangfireSetup.DashboardPath);
    }
}
