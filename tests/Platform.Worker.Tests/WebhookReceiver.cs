using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Platform.Tests.Support;

namespace Platform.Worker.Tests;

/// <summary>
/// A real HTTP receiver on loopback that records every request and answers with the status <see cref="Answer"/> picks.
/// It verifies signatures with its own reading of the Standard Webhooks spec, not the worker's signer.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        Port = ServerProcess.FreeTcpPort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>The status for the n-th request (0-based); 204 unless set; 0 never answers.</summary>
    public Func<int, int> Answer { get; set; } = _ => 204;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string Id, string Timestamp, string Signature, string Body);

    /// <summary>
    /// The spec's check: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}" keyed by the base64 after "whsec_",
    /// base64-encoded, compared with each space-separated "v1,..." of the header.
    /// </summary>
    public static bool Verifies(Received request, string secret) => Signatures(request).Any(s => SignedBy(s, request, secret));

    /// <summary>The space-separated signatures of the <c>webhook-signature</c> header.</summary>
    public static string[] Signatures(Received request) => request.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether one <c>v1,</c> signature is <paramref name="secret"/>'s.</summary>
    public static bool SignedBy(string signature, Received request, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}")));
        return signature.StartsWith("v1,", StringComparison.Ordinal) && signature[3..] == expected;
    }

    private async Task LoopAsync()
    {
        var n = 0;
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            Requests.Enqueue(new Received(
                context.Request.Headers["webhook-id"] ?? "", context.Request.Headers["webhook-timestamp"] ?? "",
                context.Request.Headers["webhook-signature"] ?? "", body));
            var status = Answer(n++);
            if (status == 0)
            {
                continue;
            }

            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
