using Microsoft.Extensions.Configuration;

namespace Platform.AppHost;

/// <summary>
/// PostgreSQL and Redis as containers: the normal path on a developer laptop with Docker Desktop,
/// and what a deployment manifest describes. Images come from <see cref="ContainerImages"/>.
/// </summary>
internal static class ContainerInfrastructure
{
    public static Infrastructure Add(IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> appRolePassword)
    {
        var images = ContainerImages.From(builder.Configuration);
        var persist = builder.Configuration.GetValue("Infrastructure:PersistData", true);

        var postgresPassword = builder.AddParameter("postgres-password", SecretParameter.Generated(), secret: true, persist: true);
        var postgres = builder.AddPostgres("postgres", password: postgresPassword)
            .WithImageRegistry(images.Postgres.Registry)
            .WithImage(images.Postgres.Image, images.Postgres.Tag);
        var redis = builder.AddRedis("redis")
            .WithImageRegistry(images.Redis.Registry)
            .WithImage(images.Redis.Image, images.Redis.Tag);

        if (images.NeverPull)
        {
            postgres.WithImagePullPolicy(ImagePullPolicy.Never);
            redis.WithImagePullPolicy(ImagePullPolicy.Never);
        }

        if (persist && builder.ExecutionContext.IsRunMode)
        {
            postgres.WithDataVolume();
        }

        var ownerDatabase = postgres.AddDatabase("platformdb", Infrastructure.DatabaseName);
        var endpoint = postgres.Resource.PrimaryEndpoint;
        var appDatabase = builder.AddConnectionString("platformdb-app", ReferenceExpression.Create(
            $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};" +
            $"Username={Infrastructure.AppRoleName};Password={appRolePassword};Database={Infrastructure.DatabaseName}"));

        // A replica is the operator's (e.g. an Azure Database for PostgreSQL read replica): its connection string, as the
        // application role, is a deployment parameter. Run mode starts none here: the stock image would need its own
        // entrypoint to pg_basebackup from the primary, so reports read from the primary (docs/operations.md).
        var readDatabase = builder.ExecutionContext.IsPublishMode ? builder.AddConnectionString(Infrastructure.ReadConnectionName) : null;
        return new Infrastructure(postgres, redis, ownerDatabase, appDatabase, redis, readDatabase);
    }
}
