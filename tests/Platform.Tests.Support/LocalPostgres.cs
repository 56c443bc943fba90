using Npgsql;

namespace Platform.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's binaries: a temp data folder, a free port on
/// 127.0.0.1, trust authentication on loopback and durability off (tests never need a crash-safe disk).
/// As root it runs as the 'postgres' user, since postgres refuses to run as root.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly ServerProcess _server;
    private readonly string _directory;

    private LocalPostgres(ServerProcess server, string directory, int port)
    {
        _server = server;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database = "postgres", string user = "postgres", string? password = null) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = user,
            Password = password,
            // Tests open many short pools; keep them small so the server's connection limit holds.
            MaxPoolSize = 20,
        }.ConnectionString;

    public static async Task<LocalPostgres> StartAsync()
    {
        var bin = FindBinDirectory();
        var directory = Directory.CreateTempSubdirectory("platform-pg-").FullName;
        var data = Path.Combine(directory, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await ServerProcess.RunAsync("chown", "postgres:postgres", directory);
        }

        await ServerProcess.RunAsync(asRoot ? "setpriv" : Path.Combine(bin, "initdb"),
            [.. AsPostgres(asRoot, Path.Combine(bin, "initdb")), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);

        var port = ServerProcess.FreeTcpPort();
        string[] serverArgs =
        [
            "-D", data, "-p", port.ToString(), "-k", directory, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300",
        ];
        var server = asRoot
            ? ServerProcess.Start("setpriv", [.. AsPostgres(true, Path.Combine(bin, "postgres")), .. serverArgs])
            : ServerProcess.Start(Path.Combine(bin, "postgres"), serverArgs);

        var postgres = new LocalPostgres(server, directory, port);
        await postgres.WaitUntilReadyAsync();
        return postgres;
    }

    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
                await connection.OpenAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"PostgreSQL did not start: {ex.Message}\n{_server.Output}", ex);
            }
        }
    }

    private static string[] AsPostgres(bool asRoot, string binary) =>
        asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", binary] : [];

    private static string FindBinDirectory()
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb")));
        if (fromPath is not null)
        {
            return fromPath;
        }

        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(Directory.Exists)
                .OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException("PostgreSQL is not installed: run scripts/test.sh, or apt-get install postgresql.");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying child: the temp folder is cleaned by the OS.
        }
    }
}
