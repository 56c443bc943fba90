using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Platform.Runtime.Docker;

namespace Platform.Runtime.Engine;

/// <summary>
/// The Docker client of one engine: every call bounded by <c>Runtime:RequestTimeoutSeconds</c> (or its own bound) and
/// every failure turned into <see cref="RuntimeUnavailableException"/> or <see cref="RuntimeOperationException"/>. Reads
/// of single containers go through <see cref="TryInspectOwnAsync"/>, which sees only containers of this scope.
/// </summary>
internal sealed class EngineConnection : IDisposable
{
    private readonly DockerClient? _client;
    private readonly string? _broken;

    public EngineConnection(RuntimeOptions options, ILogger logger)
    {
        Options = options;
        try
        {
            _client = DockerClients.Create(options, logger);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unreadable TLS material must not stop the host: every call says why instead.
            _broken = $"The TLS material for the agent runtime at {options.Endpoint} could not be loaded: {ex.Message}";
            logger.LogError(ex, "The agent runtime at {Endpoint} cannot be reached: its TLS material could not be loaded", options.Endpoint);
        }
    }

    public RuntimeOptions Options { get; }

    public string Endpoint => Options.Endpoint;

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(Options.RequestTimeoutSeconds);

    /// <summary>Runs one call on the client within <paramref name="timeout"/> (default: the request timeout) and translates its failure.</summary>
    public async Task<T> CallAsync<T>(Func<IDockerClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var client = _client ?? throw new RuntimeUnavailableException(_broken!);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout ?? RequestTimeout);
        try
        {
            return await call(client, bounded.Token);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Translate(ex, cancellationToken);
        }
    }

    public Task CallAsync(Func<IDockerClient, CancellationToken, Task> call, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallAsync(async (client, token) =>
        {
            await call(client, token);
            return true;
        }, cancellationToken, timeout);

    /// <summary>The runtime exception for any failure of a call (an unexpected one becomes an operation error with its message).</summary>
    public Exception Translate(Exception ex, CancellationToken cancellationToken) =>
        DockerClients.Translate(ex, Endpoint, cancellationToken) ?? ex switch
        {
            RuntimeUnavailableException or RuntimeOperationException => ex,
            _ => new RuntimeOperationException(RuntimeErrorKind.Other, $"The agent runtime at {Endpoint} failed: {ex.Message}", ex),
        };

    /// <summary>The container when it exists and carries this scope's label; null otherwise (a container of another scope is not ours to see).</summary>
    public async Task<ContainerInspectResponse?> TryInspectOwnAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var inspect = await CallAsync((client, token) => client.Containers.InspectContainerAsync(id, token), cancellationToken);
            return IsOwn(inspect.Config?.Labels) ? inspect : null;
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>Like <see cref="TryInspectOwnAsync"/>, but a missing workload is an error the caller sees.</summary>
    public async Task<ContainerInspectResponse> InspectOwnAsync(string id, CancellationToken cancellationToken) =>
        await TryInspectOwnAsync(id, cancellationToken)
        ?? throw new RuntimeOperationException(RuntimeErrorKind.NotFound, $"No workload {id} in scope {Options.Scope} at {Endpoint}.");

    public bool IsOwn(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(RuntimeLabels.Scope, out var scope) && scope == Options.Scope;

    public void Dispose() => _client?.Dispose();
}
