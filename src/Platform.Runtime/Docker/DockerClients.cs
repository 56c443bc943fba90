using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.X509;
using Microsoft.Extensions.Logging;

namespace Platform.Runtime.Docker;

/// <summary>
/// Docker API clients for both backends (Docker.DotNet.Enhanced, which talks API 1.41 to dockerd 20.10 without being
/// told), and the translation of its failures into <see cref="RuntimeUnavailableException"/> and
/// <see cref="RuntimeOperationException"/>. TLS always verifies the server against the configured CA.
/// </summary>
public static class DockerClients
{
    public static DockerClient Create(RuntimeOptions options, ILogger logger)
    {
        var builder = new DockerClientBuilder()
            .WithEndpoint(new Uri(options.Endpoint))
            .WithTimeout(TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
        if (options.HasTls)
        {
            builder.WithAuthProvider(Credentials(options));
        }
        else if (options.Endpoint.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            // The validator refuses this unless Runtime:AllowInsecure is set.
            logger.LogWarning("The agent runtime at {Endpoint} is reached over plain TCP (Runtime:AllowInsecure=true): " +
                "anyone who can reach that port can run containers there", options.Endpoint);
        }

        return builder.Build();
    }

    private static IAuthProvider Credentials(RuntimeOptions options)
    {
        var (ca, certificate, key) = options.CertificateDirectory is { Length: > 0 } directory
            ? (File.ReadAllText(Path.Combine(directory, "ca.pem")), File.ReadAllText(Path.Combine(directory, "cert.pem")), File.ReadAllText(Path.Combine(directory, "key.pem")))
            : (options.CaCertificate!, options.ClientCertificate!, options.ClientKey!);
        var authority = X509Certificate2.CreateFromPem(ca);
        return new CertificateCredentials(X509Certificate2.CreateFromPem(certificate, key))
        {
            ServerCertificateValidationCallback = DockerTlsCertificates.CreateCertificateAuthorityValidationCallback(authority),
        };
    }

    /// <summary>
    /// True for failures that mean "the runtime did not answer" (connection refused, a missing socket, a refused TLS
    /// handshake, a timeout), as opposed to an answer with an error status.
    /// </summary>
    public static bool IsUnreachable(Exception ex, CancellationToken callerToken) => ex switch
    {
        DockerApiException => false,
        OperationCanceledException when callerToken.IsCancellationRequested => false,
        HttpRequestException or SocketException or IOException or TimeoutException or AuthenticationException or OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(inner => IsUnreachable(inner, callerToken)),
        _ => ex.InnerException is { } inner && IsUnreachable(inner, callerToken),
    };

    /// <summary>The runtime's own answer (status and body) when there is one, else the exception message.</summary>
    public static string ErrorText(Exception ex) =>
        ex is DockerApiException api && !string.IsNullOrWhiteSpace(api.ResponseBody)
            ? $"{(int)api.StatusCode} {api.ResponseBody.Trim()}"
            : ex.Message;

    /// <summary>Runs a call and translates its failure; the caller's own cancellation passes through unchanged.</summary>
    public static async Task<T> CallAsync<T>(string endpoint, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (Translate(ex, endpoint, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public static async Task CallAsync(string endpoint, Func<Task> call, CancellationToken cancellationToken) =>
        await CallAsync(endpoint, async () =>
        {
            await call();
            return true;
        }, cancellationToken);

    /// <summary>The runtime exception for a Docker client failure, or null for the caller's own cancellation.</summary>
    public static Exception? Translate(Exception ex, string endpoint, CancellationToken cancellationToken)
    {
        if (ex is RuntimeUnavailableException or RuntimeOperationException)
        {
            return null;
        }

        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (IsUnreachable(ex, cancellationToken))
        {
            return new RuntimeUnavailableException($"The agent runtime at {endpoint} does not answer: {ex.Message}", ex);
        }

        return ex is DockerApiException api
            ? new RuntimeOperationException(api.StatusCode switch
            {
                HttpStatusCode.NotFound => RuntimeErrorKind.NotFound,
                HttpStatusCode.Conflict or HttpStatusCode.NotModified => RuntimeErrorKind.Conflict,
                HttpStatusCode.BadRequest => RuntimeErrorKind.Invalid,
                _ => RuntimeErrorKind.Other,
            }, ErrorText(api), api)
            : null;
    }
}
