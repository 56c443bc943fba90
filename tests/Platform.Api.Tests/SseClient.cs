using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Platform.Api.Tests;

public sealed record SseEvent(string? Id, string Type, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement.Clone();
}

/// <summary>A minimal Server-Sent Events reader over a real HTTP response stream.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public static async Task<SseClient> ConnectAsync(HttpClient client, string url, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Http.Ct);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseClient(response, await response.Content.ReadAsStreamAsync(Http.Ct));
    }

    /// <summary>The next event that is not a heartbeat, or a failure after the timeout.</summary>
    public Task<SseEvent> NextAsync(TimeSpan? timeout = null) => NextOrStopAsync(timeout, CancellationToken.None);

    /// <summary>As <see cref="NextAsync"/>, and <paramref name="stop"/> ends the wait early.</summary>
    public async Task<SseEvent> NextOrStopAsync(TimeSpan? timeout, CancellationToken stop)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Http.Ct, stop);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = await ReadEventAsync(cts.Token);
            if (next.Type != "heartbeat")
            {
                return next;
            }
        }
    }

    private async Task<SseEvent> ReadEventAsync(CancellationToken cancellationToken)
    {
        string? id = null;
        var type = "message";
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("The stream closed.");
            if (line.Length == 0)
            {
                if (data.Length > 0 || id is not null)
                {
                    return new SseEvent(id, type, data.ToString());
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
