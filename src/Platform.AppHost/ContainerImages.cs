using Microsoft.Extensions.Configuration;

namespace Platform.AppHost;

internal sealed record ContainerImage(string? Registry, string Image, string Tag)
{
    public string FullName => Registry is null ? $"{Image}:{Tag}" : $"{Registry}/{Image}:{Tag}";

    /// <summary>Parses <c>[registry/]image[:tag]</c>; a first segment with a dot or colon is a registry.</summary>
    public static ContainerImage Parse(string value)
    {
        var tagAt = value.LastIndexOf(':');
        var slashAt = value.LastIndexOf('/');
        var (name, tag) = tagAt > slashAt ? (value[..tagAt], value[(tagAt + 1)..]) : (value, "latest");
        var firstSlash = name.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash > 0 && name[..firstSlash].IndexOfAny(['.', ':']) >= 0)
        {
            return new ContainerImage(name[..firstSlash], name[(firstSlash + 1)..], tag);
        }

        return new ContainerImage(null, name, tag);
    }
}

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
