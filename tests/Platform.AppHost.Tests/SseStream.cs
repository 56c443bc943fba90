using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

namespace Platform.AppHost.Tests;

/// <summary>One open Server-Sent Events response, read event by event; owns its client.</summary>
internal sealed class SseStream : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _events;

    private SseStream(HttpClient client, HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        _client = client;
        _response = response;
        _events = SseParser.Create(body).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    public static async Task<SseStream> OpenAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            var failure = $"{client.BaseAddress}{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            response.Dispose();
            client.Dispose();
            Assert.Fail(failure);
        }

        return new SseStream(client, response, await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken);
    }

    /// <summary>The next event that is not a heartbeat, within the timeout.</summary>
    public async Task<SseItem<string>> NextAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            bool more;
            try
            {
                more = left > TimeSpan.Zero && await _events.MoveNextAsync().AsTask().WaitAsync(left);
            }
            catch (TimeoutException)
            {
                more = false;
            }

            if (!more)
            {
                throw new TimeoutException($"No event from {_client.BaseAddress} within {timeout.TotalSeconds:F0} s, or the stream ended.");
            }

            if (_events.Current.EventType != "heartbeat")
            {
                return _events.Current;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _response.Dispose();
        _client.Dispose();
        try
        {
            await _events.DisposeAsync();
        }
        catch (Exception)
        {
            // A stream abandoned mid-read (a failed test) has nothing left to release.
        }
    }
}
