using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Runtime;
using Platform.Runtime.Engine;
using Platform.Tests.Support;

namespace Platform.Worker.Tests;

[CollectionDefinition(Name)]
public sealed class TlsDockerCollection : ICollectionFixture<TlsDockerEngineFixture>
{
    public const string Name = "TLS Docker engine";
}

/// <summary>
/// A Docker engine of its own on loopback that answers only TLS clients with a certificate of its CA (dockerd
/// --tlsverify), as a remote engine would (<see cref="PrivateDockerEngine.StartTlsAsync"/>), with the agent test image
/// imported into it, and certificates of a second CA to mix with its own. Started once for the run, stopped at the end.
/// Its unix socket is for setting up behind the platform's back.
/// </summary>
public sealed class TlsDockerEngineFixture : IAsyncLifetime
{
    private PrivateDockerEngine? _engine;
    private DockerClient? _admin;

    /// <summary>Why there is no TLS engine, or null when there is one.</summary>
    public string? Unavailable { get; private set; }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "tdk-" + Guid.NewGuid().ToString("N")[..10]);

    public int Port => _engine?.TlsPort ?? throw new InvalidOperationException(Unavailable ?? "No TLS engine.");

    /// <summary><c>tcp://127.0.0.1:PORT</c>.</summary>
    public string Endpoint => $"tcp://127.0.0.1:{Port}";

    /// <summary>ca.pem, cert.pem and key.pem of a client the engine accepts.</summary>
    public string ClientCertificates => Path.Combine(Directory, "certs", "client");

    /// <summary>A client certificate of another CA (with the engine's own CA as ca.pem): the engine refuses it.</summary>
    public string ForeignClientCertificates => Path.Combine(Directory, "foreign-client");

    /// <summary>The engine's client certificate, but another CA to verify the engine with: the client refuses the engine.</summary>
    public string ForeignAuthorityCertificates => Path.Combine(Directory, "foreign-ca");

    public IDockerClient Admin => _admin ?? throw new InvalidOperationException(Unavailable ?? "No TLS engine.");

    public async ValueTask InitializeAsync()
    {
        if (PrivateDockerEngine.Unavailable() is { } reason)
        {
            Unavailable = reason;
            return;
        }

        _engine = await PrivateDockerEngine.StartTlsAsync(Directory);
        var certs = _engine.TlsCertificates;
        var other = Path.Combine(Directory, "other-ca");
        await PrivateDockerEngine.MakeCertificatesAsync(other);
        Mix(ForeignClientCertificates, ca: Path.Combine(certs, "ca.pem"), client: Path.Combine(other, "client"));
        Mix(ForeignAuthorityCertificates, ca: Path.Combine(other, "ca.pem"), client: ClientCertificates);
        await _engine.BuildAgentImageAsync();
        _admin = new DockerClientBuilder().WithEndpoint(new Uri(_engine.Endpoint)).Build();
    }

    /// <summary>Skips the test without the means for a TLS engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public void Require() => DockerEngines.Require(Unavailable);

    /// <summary>Runtime settings for this engine over TLS, with the material in <paramref name="certificates"/>.</summary>
    public RuntimeOptions Options(string scope, string? certificates = null, bool asPemText = false)
    {
        var folder = certificates ?? ClientCertificates;
        var options = new RuntimeOptions
        {
            Backend = "engine",
            Endpoint = Endpoint,
            Scope = scope,
            AgentImage = DockerEngineFixture.Image,
            RestartPolicy = "no",
            StopGracePeriodSeconds = 1,
            RequestTimeoutSeconds = 20,
        };
        if (asPemText)
        {
            options.CaCertificate = File.ReadAllText(Path.Combine(folder, "ca.pem"));
            options.ClientCertificate = File.ReadAllText(Path.Combine(folder, "cert.pem"));
            options.ClientKey = File.ReadAllText(Path.Combine(folder, "key.pem"));
        }
        else
        {
            options.CertificateDirectory = folder;
        }

        var validation = new RuntimeOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return options;
    }

    public static EngineRuntime Runtime(RuntimeOptions options) => new(options, NullLogger<EngineRuntime>.Instance);

    /// <summary>Connections the engine holds open on its TLS port (server side, established), from /proc/net/tcp*.</summary>
    public int EstablishedConnections()
    {
        var port = Port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .Where(File.Exists)
            .SelectMany(File.ReadLines)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(fields => fields.Length > 3 && fields[1].EndsWith(":" + port, StringComparison.Ordinal) && fields[3] == "01");
    }

    /// <summary>The engine's unix socket, <c>unix://…/docker.sock</c> (no TLS: for setting up, and for the socket transport).</summary>
    public string SocketEndpoint => _engine?.Endpoint ?? throw new InvalidOperationException(Unavailable ?? "No TLS engine.");

    /// <summary>Sockets the engine process holds open (its listeners, its containerd connections and one per client connection).</summary>
    public int EngineSockets()
    {
        var pid = _engine?.ProcessId ?? throw new InvalidOperationException(Unavailable ?? "No TLS engine.");
        return new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos()
            .Count(fd => fd.LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            // Containers would make the engine's shutdown wait for them.
            foreach (var container in await _admin.Containers.ListContainersAsync(new ContainersListParameters { All = true }, CancellationToken.None))
            {
                await _admin.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            }

            _admin.Dispose();
        }

        if (_engine is not null)
        {
            // Removes the folder with the certificates too.
            await _engine.DisposeAsync();
        }
    }

    private static void Mix(string target, string ca, string client)
    {
        System.IO.Directory.CreateDirectory(target);
        File.Copy(ca, Path.Combine(target, "ca.pem"));
        File.Copy(Path.Combine(client, "cert.pem"), Path.Combine(target, "cert.pem"));
        File.Copy(Path.Combine(client, "key.pem"), Path.Combine(target, "key.pem"));
    }
}
