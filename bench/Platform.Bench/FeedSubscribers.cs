using System.Net.Http.Headers;

namespace Platform.Bench;

/// <summary>One subscriber of the live activity feed: its API instance, its user's token, the activities it must receive, and when each arrived.</summary>
internal sealed class FeedSubscriber(Uri api, Func<string> token, Func<IReadOnlyCollection<Guid>> expected)
{
    private readonly ConcurrentDictionary<Guid, long> _arrivals = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri Api => api;
    public string Token => token();
    public IReadOnlyCollection<Guid> Expected => expected();
    public Task Ready => _ready.Task;
    public int Received => _arrivals.Count;

    /// <summary>Streams that ended or broke before the run did, and were resumed.</summary>
    public int Reconnects { get; set; }
    public string? LastEventId { get; private set; }
    public bool HasReceived(Guid activityId) => _arrivals.ContainsKey(activityId);

    public long? ArrivalOf(Guid activityId) => _arrivals.TryGetValue(activityId, out var at) ? at : null;

    public void OnEvent(string? type, string? id, string? data)
    {
        var now = Stopwatch.GetTimestamp();
        if (type == "ready") _ready.TrySetResult();
        if (type != "activity" || data is null) return;

        LastEventId = id ?? LastEventId;
        using var json = JsonDocument.Parse(data);
        _arrivals.TryAdd(json.RootElement.GetProperty("id").GetGuid(), now);
    }
}

/// <summary>
/// Subscribers holding <c>GET /api/v1/activities/stream</c> open (HTTP/1.1, a connection each), read event by event. At most
/// 50 streams are opening at a time, so a burst of connections is not what is measured; a dropped stream is resumed as a
/// browser would, with <c>Last-Event-ID</c>.
/// </summary>
internal sealed class FeedSubscribers(IEnumerable<FeedSubscriber> subscribers) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _opening = new(50);
    private readonly List<Task> _readers = [];
    private int _failures;

    public IReadOnlyList<FeedSubscriber> All { get; } = [.. subscribers];

    private HttpClient Http => field ??= new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = All.Count + 10, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, ConnectTimeout = TimeSpan.FromSeconds(10),
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<bool> StartAsync(TimeSpan within)
    {
        _readers.AddRange(All.Select(s => Task.Run(() => ReadAsync(s))));
        var ready = Task.WhenAll(All.Select(s => s.Ready));
        return await Task.WhenAny(ready, Task.Delay(within)) == ready;
    }

    /// <summary>Waits until each subscriber has what it expects (or the time is up), then closes the streams.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < drain && All.Any(s => s.Expected.Any(id => !s.HasReceived(id)))) await Task.Delay(50);

        await _stop.CancelAsync();
        await Task.WhenAll(_readers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync(TimeSpan.Zero);

        Http.Dispose();
        _stop.Dispose();
    }

    /// <summary>A slot of <see cref="_opening"/> is held from the first attempt until the stream is ready or has failed once.</summary>
    private async Task ReadAsync(FeedSubscriber subscriber)
    {
        await _opening.WaitAsync();
        var opening = 1;
        void Opened() => _ = Interlocked.Exchange(ref opening, 0) == 1 ? _opening.Release() : 0;
        _ = subscriber.Ready.ContinueWith(_ => Opened(), TaskScheduler.Default);
        for (; !_stop.IsCancellationRequested; subscriber.Reconnects++)
        {
            try
            {
                await StreamAsync(subscriber);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                if (Interlocked.Increment(ref _failures) <= 20) Console.Error.WriteLine($"feed: {subscriber.Api}: {ex.Message}");

                Opened();
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }

        Opened();
    }

    private async Task StreamAsync(FeedSubscriber subscriber)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(subscriber.Api, "/api/v1/activities/stream"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new("Bearer", subscriber.Token);
        if (subscriber.LastEventId is { } last) request.Headers.Add("Last-Event-ID", last);

        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
        string? type = null, id = null, data = null;
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            if (line.Length == 0)
            {
                subscriber.OnEvent(type, id, data);
                type = id = data = null;
            }
            else if (line.Split(':', 2) is [var field, var value])
            {
                (type, id, data) = field switch { "event" => (value.Trim(), id, data), "id" => (type, value.Trim(), data), "data" => (type, id, value.Trim()), _ => (type, id, data) };
            }
        }
    }
}
