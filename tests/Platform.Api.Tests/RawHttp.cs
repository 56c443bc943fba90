using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Platform.Api.Tests;

/// <summary>An HTTP/1.1 answer as it came off the socket.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? MediaType => Header("Content-Type")?.Split(';')[0].Trim();

    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// Requests written byte for byte on a socket: what HttpClient refuses to send (non-ASCII or duplicate headers, a wrong
/// Content-Length, bodies that are not UTF-8, a broken request line) is exactly what the malformed-input tests need.
/// Every request asks for <c>Connection: close</c>, so the answer ends where the server closes.
/// </summary>
public static class RawHttp
{
    public static byte[] Request(string method, string target, IEnumerable<(string Name, byte[] Value)> headers, byte[]? body, bool contentLength = true)
    {
        var head = new MemoryStream();
        Write(head, $"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            Write(head, name + ": ");
            head.Write(value);
            Write(head, "\r\n");
        }

        if (body is not null && contentLength)
        {
            Write(head, $"Content-Length: {body.Length}\r\n");
        }

        Write(head, "\r\n");
        head.Write(body ?? []);
        return head.ToArray();
    }

    public static (string, byte[]) Header(string name, string value) => (name, Encoding.UTF8.GetBytes(value));

    public static async Task<RawResponse> SendAsync(int port, byte[] request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        // Read while writing: a server that refuses early may answer and close before the whole request is sent.
        var reading = ReadToEndAsync(stream, cancellationToken);
        try
        {
            await stream.WriteAsync(request, cancellationToken);
        }
        catch (IOException)
        {
            // The server closed first; its answer, if any, is in what was read.
        }

        return Parse(await reading);
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the answer: keep what arrived.
        }

        return received.ToArray();
    }

    private static RawResponse Parse(byte[] raw)
    {
        var end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidOperationException($"No HTTP answer: {Encoding.Latin1.GetString(raw)}");
        }

        var lines = Encoding.Latin1.GetString(raw, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (line[..colon], line[(colon + 1)..].Trim());
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        var body = raw[(end + 4)..];
        return new RawResponse(status, headers,
            string.Equals(headers.GetValueOrDefault("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var body = new MemoryStream();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked, at, lineEnd).Split(';')[0], 16);
            at += lineEnd + 2;
            if (size == 0)
            {
                return body.ToArray();
            }

            body.Write(chunked, at, size);
            at += size + 2;
        }
    }

    private static void Write(Stream stream, string ascii) => stream.Write(Encoding.ASCII.GetBytes(ascii));
}
