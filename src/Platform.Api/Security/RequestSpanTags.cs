using System.Diagnostics;
using Platform.Data.Entities;

namespace Platform.Api.Security;

/// <summary>
/// Puts who is calling on the request's span, once, where the caller is established (<see cref="TenantScopeMiddleware"/>),
/// so a trace can be found by tenant and told apart by kind of caller. Identifiers only: never a token, key or secret.
/// </summary>
public static class RequestSpanTags
{
    public const string TenantId = "tenant.id";
    public const string ActorType = "actor.type";

    public static void Tag(Activity? span, Actor actor)
    {
        if (span is not { IsAllDataRequested: true })
        {
            return;
        }

        span.SetTag(ActorType, TypeOf(actor));
        if (actor.TenantId is { } tenantId)
        {
            span.SetTag(TenantId, tenantId.ToString());
        }
    }

    /// <summary>user, platform_admin, api_key, or runtime (an agent's runtime key, bound to one agent).</summary>
    public static string TypeOf(Actor actor) => actor switch
    {
        { IsPlatformAdmin: true } => "platform_admin",
        { Type: AuditActorType.ApiKey, AgentId: not null } => "runtime",
        { Type: AuditActorType.ApiKey } => "api_key",
        _ => "user",
    };
}
