namespace Platform.AppHost;

/// <summary>What the services need from either infrastructure mode, under the same names.</summary>
internal sealed record Infrastructure(
    IResourceBuilder<IResource> Postgres,
    IResourceBuilder<IResource> RedisServer,
    IResourceBuilder<IResourceWithConnectionString> OwnerDatabase,
    IResourceBuilder<IResourceWithConnectionString> AppDatabase,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString>? ReadDatabase = null)
{
    /// <summary>The reporting reads' connection (<c>platformdb-read</c>), as the application role: a read replica.</summary>
    public const string ReadConnectionName = "platformdb-read";

    public const string DatabaseName = "platform";

    /// <summary>The login role of the API and the Worker; the Migrator creates it and it owns nothing.</summary>
    public const string AppRoleName = "platform_app";
}
