using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Platform.Data.Entities;
using Platform.Data.Webhooks;

namespace Platform.Worker.Webhooks;

/// <summary>What one attempt came to.</summary>
public sealed record AttemptOutcome(int? StatusCode, TimeSpan Latency, TimeSpan? RetryAfter, string? Error, bool Refused)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
    public bool Gone => StatusCode == (int)HttpStatusCode.Gone;
}

/// <summary>
/// One attempt: the body <c>{ id, type, timestamp, tenantId, data }</c>, the Standard Webhooks headers (the event id as
/// <c>webhook-id</c>, the receivers' idempotency key), and the answer's status within the timeout; the body read is capped.
/// </summary>
public sealed class WebhookSender(HttpClient http, WebhookSecrets secrets, WebhookDeliveryOptions options, TimeProvider clock)
{
    private readonly WebhookSigningKeys _keys = new(secrets, clock);

    public static byte[] Body(WebhookEvent e) => JsonSerializer.SerializeToUtf8Bytes(
        new { id = e.Id, type = e.Type, timestamp = e.CreatedAt, tenantId = e.TenantId, data = e.Data.RootElement }, WebhookOutbox.Json);

    public async Task<AttemptOutcome> SendAsync(ClaimedDelivery claimed, CancellationToken cancellationToken)
    {
        var (_, webhook, e, _) = claimed;
        var body = Body(e);
        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        byte[][] keys = webhook.PreviousSecretCipher is { } previous && webhook.PreviousSecretExpiresAt > now
            ? [_keys.For(webhook.SecretCipher), _keys.For(previous)]
            : [_keys.For(webhook.SecretCipher)];

        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", e.Id.ToString());
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSigner.Sign(e.Id.ToString(), timestamp, body, keys));
        request.Headers.UserAgent.ParseAdd("Platform-Webhooks/1");

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await DrainAsync(response, cancellationToken);
            var status = (int)response.StatusCode;
            return new AttemptOutcome(status, Stopwatch.GetElapsedTime(started), RetryAfter(response, now),
                status is >= 200 and < 300 ? null : $"HTTP {status}", Refused: false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            return new AttemptOutcome(null, Stopwatch.GetElapsedTime(started), null, refused.Message, Refused: true);
        }
        catch (HttpRequestException ex)
        {
            return new AttemptOutcome(null, Stopwatch.GetElapsedTime(started), null, $"connection failed ({ex.HttpRequestError})", Refused: false);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptOutcome(null, Stopwatch.GetElapsedTime(started), null, $"no answer within {options.TimeoutSeconds} s", Refused: false);
        }
    }

    // Reads (and drops) at most the capped number of bytes, so the connection can be reused without trusting the receiver.
    private async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Min(options.MaxResponseBytes, 4096) + 1];
        var total = 0;
        int read;
        while (total <= options.MaxResponseBytes && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } when date > now => date - now,
        _ => null,
    };
}
