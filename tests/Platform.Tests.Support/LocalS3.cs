namespace Platform.Tests.Support;

/// <summary>
/// A throwaway s3rver (npm <c>s3rver@3.7.1</c>, installed by <c>scripts/install-s3rver.sh</c>) on a free
/// 127.0.0.1 port with a temp data folder. It can be stopped and started again on the same port and
/// folder, keeping its buckets, to test what happens while S3 is unreachable.
/// Credentials are <see cref="AccessKey"/> / <see cref="SecretKey"/>; clients need path-style URLs.
/// </summary>
public sealed class LocalS3 : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly string _binary;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private ServerProcess? _server;

    private LocalS3(string binary, string dataDirectory, int port)
    {
        _binary = binary;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public bool IsRunning => _server is { HasExited: false };

    /// <summary>What s3rver printed (requests and errors), for failure messages.</summary>
    public string Output => _server?.Output ?? string.Empty;

    public static async Task<LocalS3> StartAsync()
    {
        var binary = FindBinary();
        var directory = Directory.CreateTempSubdirectory("platform-s3-").FullName;
        var s3 = new LocalS3(binary, directory, ServerProcess.FreeTcpPort());
        await s3.StartAgainAsync();
        return s3;
    }

    /// <summary>Starts the server again (same port, same data) after <see cref="StopAsync"/>; no-op while it runs.</summary>
    public async Task StartAgainAsync()
    {
        await _lock.WaitAsync();
        try
        {
            if (IsRunning)
            {
                return;
            }

            if (_server is not null)
            {
                await _server.DisposeAsync();
            }

            // The port was just released by our own server; retry briefly if the OS still holds it.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                _server = ServerProcess.Start(_binary,
                    ["--directory", DataDirectory, "--address", "127.0.0.1", "--port", Port.ToString(), "--no-vhost-buckets"]);
                try
                {
                    await ServerProcess.WaitForTcpAsync(Port, _server, TimeSpan.FromSeconds(30));
                    return;
                }
                catch (InvalidOperationException) when (DateTime.UtcNow < deadline && _server.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
                {
                    await _server.DisposeAsync();
                    await Task.Delay(250);
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Stops the server; its data stays for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        await _lock.WaitAsync();
        try
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
                _server = null;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary><c>S3RVER_BIN</c>, else <c>&lt;repo&gt;/.tools/node_modules/.bin/s3rver</c>.</summary>
    public static string FindBinary()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("S3RVER_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment)
                ? fromEnvironment
                : throw new InvalidOperationException($"S3RVER_BIN is {fromEnvironment}, which does not exist.");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                var binary = Path.Combine(directory.FullName, ".tools", "node_modules", ".bin", "s3rver");
                return File.Exists(binary)
                    ? binary
                    : throw new InvalidOperationException($"s3rver is not installed at {binary}: run scripts/install-s3rver.sh (or set S3RVER_BIN).");
            }
        }

        throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}, so no .tools/node_modules/.bin/s3rver: set S3RVER_BIN.");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _lock.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying server: the temp folder is cleaned by the OS.
        }
    }
}
