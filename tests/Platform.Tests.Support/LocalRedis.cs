namespace Platform.Tests.Support;

/// <summary>A throwaway redis-server on a free loopback port, no persistence.</summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private readonly ServerProcess _server;

    private LocalRedis(ServerProcess server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<LocalRedis> StartAsync()
    {
        var port = ServerProcess.FreeTcpPort();
        var server = ServerProcess.Start("redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]);
        await ServerProcess.WaitForTcpAsync(port, server, TimeSpan.FromSeconds(30));
        return new LocalRedis(server, port);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
