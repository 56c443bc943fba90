using System.Reflection;
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
    /// <summary>
    /// Adds the filter to the endpoints whose handler takes a <see cref="PlatformReadDbContext"/>, when a replica is
    /// configured, and to no other: a filter, even one that passes through, makes every request of its endpoint box the
    /// handler's arguments.
    /// </summary>
    public static TBuilder WithReplicaFallback<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is { } handler && ReadContextIndex(handler) >= 0
                && endpoint.ApplicationServices.GetService<ReplicaFallback>() is not null)
            {
                endpoint.FilterFactories.Add(Create);
            }
        });
        return builder;
    }

    private static int ReadContextIndex(MethodInfo handler) =>
        Array.FindIndex(handler.GetParameters(), p => p.ParameterType == typeof(PlatformReadDbContext));

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var index = ReadContextIndex(context.MethodInfo);
        var fallback = context.ApplicationServices.GetRequiredService<ReplicaFallback>();
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
