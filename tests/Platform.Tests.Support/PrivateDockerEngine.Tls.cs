namespace Platform.Tests.Support;

/// <summary>An engine that answers only TLS clients with a certificate of its own CA (dockerd --tlsverify), as a remote engine would.</summary>
public sealed partial class PrivateDockerEngine
{
    /// <summary>The loopback port of the TLS endpoint, or null for an engine without one.</summary>
    public int? TlsPort { get; private init; }

    /// <summary><c>tcp://127.0.0.1:PORT</c>.</summary>
    public string TlsEndpoint => TlsPort is { } port ? $"tcp://127.0.0.1:{port}" : throw new InvalidOperationException("This engine has no TLS endpoint.");

    /// <summary>
    /// The material of scripts/docker-tls-certs.sh: ca.pem, the engine's server-cert.pem and server-key.pem, and in
    /// <c>client/</c> the ca.pem, cert.pem and key.pem of a client the engine accepts.
    /// </summary>
    public string TlsCertificates => Path.Combine(StateDirectory, "certs");

    /// <summary>Makes a CA, server and client certificates for loopback (openssl), and starts an engine with a TLS endpoint.</summary>
    /// <param name="directory">The engine's state folder (the certificates are in certs/ under it); a new one when null.</param>
    public static async Task<PrivateDockerEngine> StartTlsAsync(string? directory = null)
    {
        directory ??= NewStateDirectory("tdk-");
        var certs = Path.Combine(directory, "certs");
        await MakeCertificatesAsync(certs);
        var port = ServerProcess.FreeTcpPort();
        var args = $"--host tcp://127.0.0.1:{port} --tlsverify --tlscacert {certs}/ca.pem --tlscert {certs}/server-cert.pem --tlskey {certs}/server-key.pem";
        var endpoint = (await RunAsync("start", directory, args)).Trim();
        return new PrivateDockerEngine(directory, endpoint, args) { TlsPort = port };
    }

    /// <summary>TLS material of a new CA for loopback, as <see cref="TlsCertificates"/> lays it out, in <paramref name="directory"/>.</summary>
    public static Task MakeCertificatesAsync(string directory) =>
        Repository.RunScriptAsync("docker-tls-certs.sh", null, directory, "IP:127.0.0.1,DNS:localhost", "2");
}
