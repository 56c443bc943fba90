using Microsoft.Extensions.DependencyInjection;

namespace Platform.AppHost;

/// <summary>
/// PostgreSQL and Redis from the machine's installed binaries, as executable resources with data
/// under a state folder (<c>Infrastructure:StateDirectory</c>, default <c>.state/local</c> at the
/// repository root). DCP allocates the ports; health checks make <c>WaitFor</c> wait for real readiness.
/// </summary>
internal static class LocalInfrastructure
{
    public static Infrastructure Add(IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> appRolePassword)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
        var script = Path.Combine(repositoryRoot, "scripts", "local-infra.sh");
        var stateDirectory = Path.GetFullPath(
            builder.Configuration["Infrastructure:StateDirectory"] ?? Path.Combine(repositoryRoot, ".state", "local"));
        Directory.CreateDirectory(stateDirectory);

        var postgresPassword = builder.AddParameter("postgres-password", SecretParameter.Generated(), secret: true, persist: true);
        var redisPassword = builder.AddParameter("redis-password", SecretParameter.Generated(), secret: true, persist: true);
        var pgData = Path.Combine(stateDirectory, "postgres", "data");

        var postgresInit = builder.AddExecutable("postgres-init", "bash", repositoryRoot, script, "postgres-init")
            .WithEnvironment("PG_DATA", pgData)
            .WithEnvironment("PG_PASSWORD", postgresPassword);

        var postgres = builder.AddExecutable("postgres", "bash", repositoryRoot, script, "postgres")
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithEnvironment("PG_DATA", pgData)
            .WaitForCompletion(postgresInit);
        var pgEndpoint = postgres.GetEndpoint("tcp");
        postgres.WithEnvironment(context => context.EnvironmentVariables["PG_PORT"] = pgEndpoint.Property(EndpointProperty.TargetPort));

        var server = ReferenceExpression.Create(
            $"Host={pgEndpoint.Property(EndpointProperty.Host)};Port={pgEndpoint.Property(EndpointProperty.Port)}");
        var ownerDatabase = builder.AddConnectionString("platformdb",
            ReferenceExpression.Create($"{server};Username=postgres;Password={postgresPassword};Database={Infrastructure.DatabaseName}"));
        var appDatabase = builder.AddConnectionString("platformdb-app",
            ReferenceExpression.Create($"{server};Username={Infrastructure.AppRoleName};Password={appRolePassword};Database={Infrastructure.DatabaseName}"));
        var maintenance = ReferenceExpression.Create($"{server};Username=postgres;Password={postgresPassword};Database=postgres");
        ResourceHealthChecks.Attach(builder, postgres, "postgres-ready", maintenance,
            (checks, name, connection) => checks.AddNpgSql(_ => connection(), name: name));

        var readDatabase = AddReadReplica(builder, script, repositoryRoot, stateDirectory, postgres, postgresPassword, appRolePassword);

        var redis = builder.AddExecutable("redis", "bash", repositoryRoot, script, "redis")
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithEnvironment("REDIS_DIR", Path.Combine(stateDirectory, "redis"))
            .WithEnvironment("REDIS_PASSWORD", redisPassword);
        var redisEndpoint = redis.GetEndpoint("tcp");
        redis.WithEnvironment(context => context.EnvironmentVariables["REDIS_PORT"] = redisEndpoint.Property(EndpointProperty.TargetPort));
        var redisConnection = builder.AddConnectionString("redis-connection", ReferenceExpression.Create(
            $"{redisEndpoint.Property(EndpointProperty.Host)}:{redisEndpoint.Property(EndpointProperty.Port)},password={redisPassword}"));
        ResourceHealthChecks.Attach(builder, redis, "redis-ready", redisConnection.Resource.ConnectionStringExpression,
            (checks, name, connection) => checks.AddRedis(_ => connection(), name: name));

        return new Infrastructure(postgres, redis, ownerDatabase, appDatabase, redisConnection, readDatabase);
    }

    /// <summary>
    /// <c>postgres-read</c>: a hot standby streaming from <c>postgres</c>, copied with <c>pg_basebackup -R</c> once the
    /// primary is ready (and again when the primary's cluster was made afresh). Nothing waits for it: the services
    /// read reports from the primary until it answers.
    /// </summary>
    private static IResourceBuilder<IResourceWithConnectionString> AddReadReplica(
        IDistributedApplicationBuilder builder, string script, string repositoryRoot, string stateDirectory,
        IResourceBuilder<ExecutableResource> primary, IResourceBuilder<ParameterResource> postgresPassword,
        IResourceBuilder<ParameterResource> appRolePassword)
    {
        var data = Path.Combine(stateDirectory, "postgres-read", "data");
        var primaryEndpoint = primary.GetEndpoint("tcp");
        var init = builder.AddExecutable("postgres-read-init", "bash", repositoryRoot, script, "postgres-read-init")
            .WithEnvironment("PG_DATA", data)
            .WithEnvironment("PG_PASSWORD", postgresPassword)
            .WithEnvironment(context => context.EnvironmentVariables["PRIMARY_PORT"] = primaryEndpoint.Property(EndpointProperty.Port))
            .WaitFor(primary);

        var replica = builder.AddExecutable("postgres-read", "bash", repositoryRoot, script, "postgres-read")
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithEnvironment("PG_DATA", data)
            .WaitForCompletion(init);
        var endpoint = replica.GetEndpoint("tcp");
        replica.WithEnvironment(context => context.EnvironmentVariables["PG_PORT"] = endpoint.Property(EndpointProperty.TargetPort));
        return ReadReplicaConnection.Add(builder, replica, postgresPassword, appRolePassword);
    }
}
