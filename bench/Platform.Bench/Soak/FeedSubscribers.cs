namespace Platform.Bench;

/// <summary>
/// SSE clients holding <c>GET /activities/stream</c> open for the whole soak, spread over the tenants and API instances (each
/// tenant's subscribers alternate between instances, so a loss on one replica shows against the other). A dropped stream is
/// resumed as a browser would, with <c>Last-Event-ID</c>. All are ready before the first post, so each must receive exactly
/// the activities posted to its tenant.
/// </summary>
internal sealed class FeedSubscribers : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _readers = [];

    public FeedSubscribers(int count, IReadOnlyList<SoakTenant> tenants, IReadOnlyList<Uri> apis)
    {
        _http = SseStream.Client(count);
        All = [.. Enumerable.Range(0, count).Select(i => new Subscriber(tenants[i % tenants.Count], i / tenants.Count, apis[i / tenants.Count % apis.Count]))];
    }

    public IReadOnlyList<Subscriber> All { get; }

    /// <summary>Opens every stream; true when all sent their <c>ready</c> event within the time given.</summary>
    public async Task<bool> StartAsync(TimeSpan within)
    {
        _readers.AddRange(All.Select(s => Task.Run(() => s.RunAsync(_http, _stop.Token))));
        var ready = Task.WhenAll(All.Select(s => s.Ready));
        return await Task.WhenAny(ready, Task.Delay(within)) == ready;
    }

    /// <summary>Waits until each subscriber has its tenant's posts (or the time is up), then closes the streams.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < drain && All.Any(s => s.Received < s.Tenant.Posted.Count))
        {
            await Task.Delay(100);
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_readers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync(TimeSpan.Zero);
        }

        _http.Dispose();
        _stop.Dispose();
    }

    internal sealed class Subscriber(SoakTenant tenant, int round, Uri api)
    {
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<Guid, byte> _activities = new();
        private string? _lastEventId;

        public SoakTenant Tenant => tenant;

        public Task Ready => _ready.Task;

        public int Received => _activities.Count;

        /// <summary>Streams that ended or broke before the soak did, and were resumed.</summary>
        public int Reconnects { get; private set; }

        public bool HasReceived(Guid activityId) => _activities.ContainsKey(activityId);

        public async Task RunAsync(HttpClient http, CancellationToken stop)
        {
            var user = tenant.Users[1 + (round % (tenant.Users.Count - 1))];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await SseStream.ReadAsync(http, api, user.AccessToken, _lastEventId, OnEvent, stop);
                    Reconnects++;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    Reconnects++;
                    Console.Error.WriteLine($"soak feed: {api}: {ex.Message}");
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
            }
        }

        /// <summary>Keeps each activity's id to tell which posts were missed.</summary>
        private void OnEvent(string? type, string? id, string? data)
        {
            if (type == "ready")
            {
                _ready.TrySetResult();
            }
            else if (type == "activity" && data is not null)
            {
                _lastEventId = id ?? _lastEventId;
                using var json = JsonDocument.Parse(data);
                _activities.TryAdd(json.RootElement.GetProperty("id").GetGuid(), 0);
            }
        }
    }
}
