using Microsoft.Extensions.Configuration;

namespace Platform.AppHost;

/// <summary>
/// The images container mode runs: Aspire's defaults unless <c>Infrastructure:PostgresImage</c> /
/// <c>Infrastructure:RedisImage</c> name others (for example images built locally, never pulled).
/// </summary>
internal sealed record ContainerImages(ContainerImage Postgres, ContainerImage Redis, bool NeverPull)
{
    public const string DefaultPostgres = "docker.io/library/postgres:18.3";
    public const string DefaultRedis = "docker.io/library/redis:8.6";

    public IEnumerable<ContainerImage> All => [Postgres, Redis];

    public static ContainerImages From(IConfiguration configuration) => new(
        ContainerImage.Parse(configuration["Infrastructure:PostgresImage"] ?? DefaultPostgres),
        ContainerImage.Parse(configuration["Infrastructure:RedisImage"] ?? DefaultRedis),
        configuration.GetValue("Infrastructure:NeverPullImages", false));
}
