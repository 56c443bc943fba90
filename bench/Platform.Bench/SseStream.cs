using System.Net.Http.Headers;

namespace Platform.Bench;

/// <summary>One subscription to the live activity feed (GET /api/v1/activities/stream), read event by event.</summary>
public static class SseStream
{
    /// <summary>HTTP/1.1 connections kept open as long as the streams are, for <paramref name="streams"/> subscribers.</summary>
    public static HttpClient Client(int streams) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = streams + 10,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// Opens the stream (resuming after <paramref name="lastEventId"/> if given) and calls <paramref name="onEvent"/> with each
    /// event's type, id and data line until the stream ends; throws <see cref="HttpRequestException"/> when it is refused.
    /// </summary>
    public static async Task ReadAsync(HttpClient http, Uri api, string token, string? lastEventId, Action<string?, string?, string?> onEvent, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api, "/api/v1/activities/stream"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new("Bearer", token);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(stop);
        using var reader = new StreamReader(stream);
        string? type = null, id = null, data = null;
        while (await reader.ReadLineAsync(stop) is { } line)
        {
            if (line.Length == 0)
            {
                onEvent(type, id, data);
                type = id = data = null;
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line[6..].Trim();
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line[5..].Trim();
            }
        }
    }
}
