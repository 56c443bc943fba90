using System.Buffers;
using System.Diagnostics;
using System.Net;
using Platform.Data.Webhooks;

namespace Platform.Worker.Webhooks;

/// <summary>What one attempt came to.</summary>
public sealed record AttemptOutcome(int? StatusCode, TimeSpan Latency, TimeSpan? RetryAfter, string? Error, bool Refused)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
    public bool Gone => StatusCode == (int)HttpStatusCode.Gone;
}

/// <summary>
/// One attempt: the claimed delivery's body (<see cref="WebhookBody"/>), the Standard Webhooks headers (the event id as
/// <c>webhook-id</c>, the receivers' idempotency key), and the answer's status within the timeout; the body read is capped.
/// </summary>
public sealed class WebhookSender(HttpClient http, WebhookSecrets secrets, WebhookDeliveryOptions options, TimeProvider clock)
{
    public const string UserAgent = "Platform-Webhooks/1";
    private readonly WebhookSigningKeys _keys = new(secrets, clock);

    public async Task<AttemptOutcome> SendAsync(ClaimedDelivery claimed, CancellationToken cancellationToken)
    {
        var webhook = claimed.Webhook;
        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        byte[][] keys = webhook.PreviousSecretCipher is { } previous && webhook.PreviousSecretExpiresAt > now
            ? [_keys.For(webhook.SecretCipher), _keys.For(previous)]
            : [_keys.For(webhook.SecretCipher)];

        // The values are ours and well-formed, so they are added without the header parser's checks.
        var id = claimed.EventId.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(claimed.Body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigner.Sign(id, timestamp, claimed.Body, keys));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);

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
    // An empty answer (a declared length of 0) has nothing to read: its connection is back in the pool already.
    private async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(options.MaxResponseBytes, 4096) + 1);
        try
        {
            var total = 0;
            int read;
            while (total <= options.MaxResponseBytes && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } when date > now => date - now,
        _ => null,
    };
}
