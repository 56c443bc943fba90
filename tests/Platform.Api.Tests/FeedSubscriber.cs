using System.Collections.Concurrent;

namespace Platform.Api.Tests;

/// <summary>
/// A live-feed subscriber that reads in the background, remembers every activity id and its last event id, and can
/// drop its connection and resume from that id, as a browser's EventSource does.
/// </summary>
internal sealed class FeedSubscriber : IAsyncDisposable
{
    private readonly ApiInstance _api;
    private readonly string _accessToken;
    private readonly ConcurrentDictionary<Guid, byte> _received = new();
    private SseClient _client;
    private Task _reading = Task.CompletedTask;
    private CancellationTokenSource _stop = new();
    private string? _lastEventId;

    private FeedSubscriber(ApiInstance api, string accessToken, SseClient client)
    {
        _api = api;
        _accessToken = accessToken;
        _client = client;
    }

    public int Duplicates { get; private set; }

    public static async Task<FeedSubscriber> StartAsync(ApiInstance api, string accessToken)
    {
        var client = await SseClient.ConnectAsync(api.Client(accessToken), "/api/v1/activities/stream");
        var ready = await client.NextAsync();
        Assert.Equal("ready", ready.Type);
        var subscriber = new FeedSubscriber(api, accessToken, client) { _lastEventId = ready.Id };
        subscriber._reading = subscriber.ReadAsync(client, subscriber._stop.Token);
        return subscriber;
    }

    public async Task ReconnectAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        await _client.DisposeAsync();
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        _client = await SseClient.ConnectAsync(_api.Client(_accessToken), "/api/v1/activities/stream", _lastEventId);
        _reading = ReadAsync(_client, _stop.Token);
    }

    public async Task WaitForAsync(IReadOnlyCollection<Guid> expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!expected.All(_received.ContainsKey))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"{expected.Count(id => !_received.ContainsKey(id))} of {expected.Count} committed activities never arrived");
            await Task.Delay(100, Http.Ct);
        }

        Assert.Equal(0, Duplicates);
        Assert.Equal(expected.Count, _received.Count);
    }

    private async Task ReadAsync(SseClient client, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var next = await client.NextOrStopAsync(TimeSpan.FromMinutes(1), stop);
                if (next.Type == "activity" && !_received.TryAdd(next.Json.Id(), 0))
                {
                    Duplicates++;
                }

                _lastEventId = next.Id ?? _lastEventId;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        await _client.DisposeAsync();
        _stop.Dispose();
    }
}
