namespace Platform.Tests.Support;

/// <summary>A throwaway redis-server on a free loopback port, no persistence; it can be stopped and started again on the same port.</summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private ServerProcess? _server;

    private LocalRedis(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _server is { HasExited: false };

    public static async Task<LocalRedis> StartAsync()
    {
        var redis = new LocalRedis(ServerProcess.FreeTcpPort());
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Kills the server (SIGKILL): clients see the connection drop, and its data is gone.</summary>
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    /// <summary>Starts an empty server on the same port.</summary>
    public async Task StartAgainAsync()
    {
        _server = ServerProcess.Start("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]);
        await ServerProcess.WaitForTcpAsync(Port, _server, TimeSpan.FromSeconds(30));
    }

    public Task<string> FlushAllAsync() => ServerProcess.RunAsync("redis-cli", "-p", Port.ToString(), "FLUSHALL");

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
