using System.Net;
using System.Net.Sockets;
using Platform.Data.Webhooks;

namespace Platform.Worker.Webhooks;

/// <summary>Why a delivery refused to connect: the host resolved to an address webhooks may not reach.</summary>
public sealed class WebhookAddressRefusedException(string host, string reason)
    : Exception($"The host {host} resolves to a {reason} address, which webhooks may not reach.")
{
    public string Reason { get; } = reason;
}

/// <summary>
/// The delivery client: no redirects, no cookies, no proxy, and a connect step that resolves the host now (DNS may have
/// changed since the URL was accepted) and refuses when any of its addresses is one webhooks may not reach, unless an
/// operator allowed the host. The check runs on the addresses actually connected to, so no later lookup can swap them.
/// </summary>
public static class WebhookHttp
{
    public static HttpClient Create(WebhookOptions options, WebhookDeliveryOptions delivery)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(delivery.TimeoutSeconds),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options, cancellationToken),
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(delivery.TimeoutSeconds) };
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, WebhookOptions options, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var allowed = options.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase);
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        if (!allowed && addresses.Select(WebhookAddresses.Refusal).FirstOrDefault(r => r is not null) is { } refusal)
        {
            throw new WebhookAddressRefusedException(host, refusal);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            if (!allowed && socket.RemoteEndPoint is IPEndPoint connected && WebhookAddresses.Refusal(connected.Address) is { } late)
            {
                throw new WebhookAddressRefusedException(host, late);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
