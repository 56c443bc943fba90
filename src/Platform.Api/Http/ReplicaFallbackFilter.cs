using Platform.Data;
using Platform.Data.Replication;

namespace Platform.Api.Http;

/// <summary>
/// Runs a reporting read again on the primary when the replica it was routed to goes away under it (killed, restarting,
/// its pooled connections broken), so the client gets its answer rather than a 503 for the up to one probe interval
/// before the monitor would have noticed. Applies to every endpoint that takes a <see cref="PlatformReadDbContext"/>, and
/// only before the response has started: an export that already streamed rows cannot be taken back.
/// </summary>
internal static class ReplicaFallbackFilter
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var index = Array.FindIndex(context.MethodInfo.GetParameters(), p => p.ParameterType == typeof(PlatformReadDbContext));
        if (index < 0 || context.ApplicationServices.GetService<ReplicaFallback>() is not { } fallback)
        {
            return next;
        }

        return async invocation =>
        {
            try
            {
                return await next(invocation);
            }
            catch (Exception error) when (invocation.Arguments[index] is PlatformReadDbContext { OnReplica: true } lost
                && error.IsDatabaseUnavailable() && !invocation.HttpContext.Response.HasStarted
                && !invocation.HttpContext.RequestAborted.IsCancellationRequested)
            {
                var primary = fallback.MoveToPrimary(lost, error);
                invocation.HttpContext.Response.RegisterForDisposeAsync(primary);
                invocation.Arguments[index] = primary;
                return await next(invocation);
            }
        };
    }
}
