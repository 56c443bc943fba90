using Npgsql;

namespace Platform.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's binaries: a temp data folder, a free port on
/// 127.0.0.1, trust authentication on loopback and durability off (tests never need a crash-safe disk).
/// As root it runs as the 'postgres' user, since postgres refuses to run as root. It can be stopped and started again
/// on the same data and port, to test what clients see while the database restarts.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;
    private readonly string[] _serverArgs;
    private ServerProcess _server;

    private LocalPostgres(ServerProcess server, string directory, string bin, string[] serverArgs, int port)
    {
        _server = server;
        _directory = directory;
        _bin = bin;
        _serverArgs = serverArgs;
        Port = port;
    }

    internal static bool AsRoot => Environment.UserName == "root";

    internal string BinDirectory => _bin;

    private string DataDirectory => Path.Combine(_directory, "data");

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
        if (AsRoot)
        {
            await ServerProcess.RunAsync("chown", "postgres:postgres", directory);
        }

        await ServerProcess.RunAsync(AsRoot ? "setpriv" : Path.Combine(bin, "initdb"),
            [.. AsPostgres(AsRoot, Path.Combine(bin, "initdb")), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);

        var port = ServerProcess.FreeTcpPort();
        string[] serverArgs =
        [
            "-D", data, "-p", port.ToString(), "-k", directory, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300",
        ];
        var postgres = new LocalPostgres(StartServer(bin, serverArgs), directory, bin, serverArgs, port);
        await postgres.WaitUntilReadyAsync();
        return postgres;
    }

    /// <summary>
    /// A fast shutdown, as <c>pg_ctl stop -m fast</c> (what a service manager does on restart): sessions are ended, open
    /// transactions rolled back, committed data flushed. Returns when the server has exited.
    /// </summary>
    public async Task StopAsync()
    {
        var pgCtl = Path.Combine(_bin, "pg_ctl");
        await ServerProcess.RunAsync(AsRoot ? "setpriv" : pgCtl, [.. AsPostgres(AsRoot, pgCtl), "stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"]);
        await _server.WaitForExitAsync();
    }

    /// <summary>Starts the stopped server again on the same data directory and port, and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        await _server.DisposeAsync();
        _server = StartServer(_bin, _serverArgs);
        await WaitUntilReadyAsync();
    }

    private static ServerProcess StartServer(string bin, string[] serverArgs) => AsRoot
        ? ServerProcess.Start("setpriv", [.. AsPostgres(true, Path.Combine(bin, "postgres")), .. serverArgs])
        : ServerProcess.Start(Path.Combine(bin, "postgres"), serverArgs);

    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    private Task WaitUntilReadyAsync() => WaitUntilAcceptingAsync(ConnectionString(), _server, "PostgreSQL");

    /// <summary>Waits (at most a minute) until <paramref name="server"/> accepts connections; throws with its output if it exits or never does.</summary>
    internal static async Task WaitUntilAcceptingAsync(string connectionString, ServerProcess server, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
                await connection.OpenAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"{what} did not start: {ex.Message}\n{server.Output}", ex);
            }
        }
    }

    internal static string[] AsPostgres(bool asRoot, string binary) =>
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
