using System.Diagnostics;
using Platform.Api.Http;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Api.Security;

/// <summary>
/// Turns the authenticated principal into the request's <see cref="TenantContext"/> (which row-level
/// security then enforces) and refuses a suspended tenant's users and keys with 403 <c>tenant_suspended</c>.
/// </summary>
public sealed class TenantScopeMiddleware(RequestDelegate next)
{
    public const string TenantInfoItem = "platform.tenant";

    public async Task InvokeAsync(HttpContext context, CurrentUser caller, TenantContext tenantContext, TenantDirectory tenants)
    {
        var actor = caller.Actor;
        if (actor is null)
        {
            await next(context);
            return;
        }

        RequestSpanTags.Tag(Activity.Current, actor);
        if (actor.IsPlatformAdmin)
        {
            tenantContext.UsePlatformScope();
        }
        else if (actor.TenantId is { } tenantId)
        {
            var tenant = await tenants.GetAsync(tenantId, context.RequestAborted);
            if (tenant is null)
            {
                await Problems.Write(context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "The tenant of this credential no longer exists.");
                return;
            }

            if (tenant.Status == TenantStatus.Suspended)
            {
                await Problems.Write(context, StatusCodes.Status403Forbidden, ErrorCodes.TenantSuspended, "This tenant is suspended.");
                return;
            }

            context.Items[TenantInfoItem] = tenant;
            tenantContext.UseTenant(tenantId);
        }

        await next(context);
    }
}
