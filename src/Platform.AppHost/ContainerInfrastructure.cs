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

        // Publish mode: the replica is the operator's (e.g. an Azure Database for PostgreSQL read replica), its
        // connection string, as the application role, a deployment parameter. Run mode: a streaming standby of its own.
        var readDatabase = builder.ExecutionContext.IsPublishMode
            ? builder.AddConnectionString(Infrastructure.ReadConnectionName)
            : AddReadReplica(builder, postgres, images, postgresPassword, appRolePassword);
        return new Infrastructure(postgres, redis, ownerDatabase, appDatabase, redis, readDatabase);
    }

    /// <summary>
    /// <c>postgres-read</c>: the primary's image started with an entrypoint of ours (Postgres/read-replica-entrypoint.sh)
    /// that copies the primary with <c>pg_basebackup -R</c> at every start and runs the copy as a hot standby. The primary
    /// gets an authentication file that also lets replication connections in, and keeps WAL for a standby that stops a
    /// while. Nothing waits for the replica: the services read reports from the primary until it answers.
    /// </summary>
    private static IResourceBuilder<IResourceWithConnectionString> AddReadReplica(
        IDistributedApplicationBuilder builder, IResourceBuilder<PostgresServerResource> primary, ContainerImages images,
        IResourceBuilder<ParameterResource> postgresPassword, IResourceBuilder<ParameterResource> appRolePassword)
    {
        var files = Path.Combine(builder.AppHostDirectory, "Postgres");
        primary.WithBindMount(Path.Combine(files, "pg_hba.conf"), "/etc/platform/pg_hba.conf", isReadOnly: true)
            .WithArgs("-c", "hba_file=/etc/platform/pg_hba.conf", "-c", "wal_keep_size=512MB");

        var primaryEndpoint = primary.Resource.PrimaryEndpoint;
        var replica = builder.AddContainer("postgres-read", images.Postgres.Image, images.Postgres.Tag)
            .WithImageRegistry(images.Postgres.Registry)
            .WithBindMount(files, "/etc/platform", isReadOnly: true)
            .WithEntrypoint("/bin/sh")
            .WithArgs("/etc/platform/read-replica-entrypoint.sh")
            .WithEnvironment("PRIMARY_HOST", primaryEndpoint.Property(EndpointProperty.Host))
            .WithEnvironment("PRIMARY_PORT", primaryEndpoint.Property(EndpointProperty.TargetPort))
            .WithEnvironment("PGPASSWORD", postgresPassword)
            .WithEndpoint(targetPort: 5432, name: "tcp", scheme: "tcp")
            .WaitFor(primary);
        if (images.NeverPull)
        {
            replica.WithImagePullPolicy(ImagePullPolicy.Never);
        }

        return ReadReplicaConnection.Add(builder, replica, postgresPassword, appRolePassword);
    }
}
