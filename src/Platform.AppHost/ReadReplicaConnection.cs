using Microsoft.Extensions.DependencyInjection;

namespace Platform.AppHost;

/// <summary>What either mode's <c>postgres-read</c> gives the rest of the app, whichever way it was made.</summary>
internal static class ReadReplicaConnection
{
    /// <summary>
    /// The replica's readiness check (as the superuser, on the maintenance database) and the services' connection to it,
    /// <c>platformdb-read</c>, as the application role.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> Add<TResource>(
        IDistributedApplicationBuilder builder, IResourceBuilder<TResource> replica,
        IResourceBuilder<ParameterResource> postgresPassword, IResourceBuilder<ParameterResource> appRolePassword)
        where TResource : IResourceWithEndpoints
    {
        var endpoint = replica.GetEndpoint("tcp");
        var server = ReferenceExpression.Create($"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)}");
        ResourceHealthChecks.Attach(builder, replica, "postgres-read-ready",
            ReferenceExpression.Create($"{server};Username=postgres;Password={postgresPassword};Database=postgres"),
            (checks, name, connection) => checks.AddNpgSql(_ => connection(), name: name));
        return builder.AddConnectionString(Infrastructure.ReadConnectionName, ReferenceExpression.Create(
            $"{server};Username={Infrastructure.AppRoleName};Password={appRolePassword};Database={Infrastructure.DatabaseName}"));
    }
}
