using System.Net;
using System.Net.Http.Headers;

namespace Platform.Bench.Soak;

/// <summary>
/// SSE clients holding <c>GET /activities/stream</c> open for the whole soak, spread over the tenants and
/// API instances, each counting the activity events it receives. A dropped stream is resumed as a browser
/// would, with <c>Last-Event-ID</c>, and counted. Since every subscriber is ready before the first post,
/// each must receive exactly the activities posted to its tenant.
/// </summary>
internal sealed class FeedSubscribers : IAsyncDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly List<Task> _readers = [];

    public FeedSubscribers(int count, IReadOnlyList<SoakTenant> tenants, IReadOnlyList<Uri> apis)
    {
        _handler = new SocketsHttpHandler { MaxConnectionsPerServer = count + 10, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, ConnectTimeout = TimeSpan.FromSeconds(10) };
        _http = new HttpClient(_handler) { Timeout = Timeout.InfiniteTimeSpan };
        for (var i = 0; i < count; i++)
        {
            // Each tenant's subscribers alternate between the instances, so a loss on one replica shows against the other.
            var tenant = tenants[i % tenants.Count];
            var round = i / tenants.Count;
            _subscribers.Add(new Subscriber(tenant, tenant.Members[round % tenant.Members.Count], apis[round % apis.Count]));
        }
    }

    public IReadOnlyList<Subscriber> All => _subscribers;

    /// <summary>Opens every stream; true when all sent their <c>ready</c> event within the time given.</summary>
    public async Task<bool> StartAsync(TimeSpan within)
    {
        foreach (var subscriber in _subscribers)
        {
            _readers.Add(Task.Run(() => subscriber.RunAsync(_http, _stop.Token)));
        }

        var all = Task.WhenAll(_subscribers.Select(s => s.Ready));
        return await Task.WhenAny(all, Task.Delay(within)) == all;
    }

    /// <summary>Waits until each subscriber has its tenant's posted count (or the time is up), then closes the streams.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < drain && _subscribers.Any(s => s.Received < s.Tenant.ActivitiesPosted))
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
        _handler.Dispose();
        _stop.Dispose();
    }

    internal sealed class Subscriber(SoakTenant tenant, UserSession user, Uri api)
    {
        private const string IdField = "\"id\":\"";
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HashSet<Guid> _activities = [];
        private long _received;
        private string? _lastEventId;

        public SoakTenant Tenant { get; } = tenant;

        public Uri Api { get; } = api;

        public Task Ready => _ready.Task;

        public long Received => Interlocked.Read(ref _received);

        /// <summary>Activity events that arrived a second time.</summary>
        public int Duplicates { get; private set; }

        public bool HasReceived(Guid activityId)
        {
            lock (_activities)
            {
                return _activities.Contains(activityId);
            }
        }

        /// <summary>Streams that ended or broke before the soak did, and were resumed.</summary>
        public int Reconnects { get; private set; }

        /// <summary>Connection attempts that failed or were refused.</summary>
        public int FailedConnects { get; private set; }

        public async Task RunAsync(HttpClient http, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Api, "/api/v1/activities/stream"))
                    {
                        Version = HttpVersion.Version11,
                        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                    };
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                    request.Headers.Authorization = new("Bearer", user.AccessToken);
                    if (_lastEventId is not null)
                    {
                        request.Headers.Add("Last-Event-ID", _lastEventId);
                    }

                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                    if (!response.IsSuccessStatusCode)
                    {
                        FailedConnects++;
                        Console.Error.WriteLine($"soak feed: {Api} answered {(int)response.StatusCode}");
                        await Task.Delay(TimeSpan.FromSeconds(1), stop);
                        continue;
                    }

                    await ReadEventsAsync(response, stop);
                    Reconnects++;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    FailedConnects++;
                    Console.Error.WriteLine($"soak feed: {Api}: {ex.Message}");
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
            }
        }

        /// <summary>Reads events (fields up to a blank line) until the stream ends.</summary>
        private async Task ReadEventsAsync(HttpResponseMessage response, CancellationToken stop)
        {
            await using var stream = await response.Content.ReadAsStreamAsync(stop);
            using var reader = new StreamReader(stream);
            string? type = null, id = null, data = null;
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                if (line.Length > 0)
                {
                    if (line.StartsWith("event:", StringComparison.Ordinal))
                    {
                        type = line[6..].Trim();
                    }
                    else if (line.StartsWith("id:", StringComparison.Ordinal))
                    {
                        id = line[3..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data = line;
                    }

                    continue;
                }

                if (type == "activity")
                {
                    Interlocked.Increment(ref _received);
                    _lastEventId = id ?? _lastEventId;
                    Remember(data);
                }
                else if (type == "ready")
                {
                    _ready.TrySetResult();
                }

                type = id = data = null;
            }
        }

        /// <summary>Keeps the activity's id (the first "id" of the event's JSON) to tell which posts were missed.</summary>
        private void Remember(string? data)
        {
            var at = data?.IndexOf(IdField, StringComparison.Ordinal) ?? -1;
            if (data is null || at < 0 || data.Length < at + IdField.Length + 36 || !Guid.TryParse(data.AsSpan(at + IdField.Length, 36), out var activityId))
            {
                return;
            }

            lock (_activities)
            {
                if (!_activities.Add(activityId))
                {
                    Duplicates++;
                }
            }
        }
    }
}
