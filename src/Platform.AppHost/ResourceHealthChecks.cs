using Microsoft.Extensions.DependencyInjection;

namespace Platform.AppHost;

/// <summary>
/// Health checks for the servers the AppHost starts itself, so that <c>WaitFor</c> waits for a server that answers, not
/// for a process that runs.
/// </summary>
internal static class ResourceHealthChecks
{
    // The connection string is only known once DCP has allocated the port, so it is resolved just
    // before the resource starts and handed to the check lazily.
    public static void Attach<TResource>(
        IDistributedApplicationBuilder builder,
        IResourceBuilder<TResource> resource,
        string name,
        ReferenceExpression connection,
        Action<IHealthChecksBuilder, string, Func<string>> register)
        where TResource : IResource
    {
        string? resolved = null;
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource.Resource, async (_, cancellationToken) =>
            resolved = await connection.GetValueAsync(cancellationToken));
        register(builder.Services.AddHealthChecks(), name,
            () => resolved ?? throw new InvalidOperationException($"{resource.Resource.Name} has not started yet."));
        resource.WithHealthCheck(name);
    }
}
