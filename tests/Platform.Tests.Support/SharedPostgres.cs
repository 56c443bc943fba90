namespace Platform.Tests.Support;

/// <summary>
/// One PostgreSQL server and one migrated database for a whole test assembly
/// (<c>[assembly: AssemblyFixture(typeof(SharedPostgres))]</c>); tests create their own tenants.
/// </summary>
public sealed class SharedPostgres : IAsyncLifetime
{
    private LocalPostgres? _server;
    private PlatformDatabase? _database;

    public LocalPostgres Server => _server ?? throw new InvalidOperationException("Not started.");

    public PlatformDatabase Database => _database ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        _server = await LocalPostgres.StartAsync();
        _database = await PlatformDatabase.CreateAsync(_server, "platform");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
