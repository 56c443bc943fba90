using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platform.Bench;

/// <summary>
/// P10's receiver: Kestrel in this process on loopback, answering 200 at once to any POST. It notes when each
/// <c>webhook-id</c> first arrived (under /hook/…) and counts the bare loop's requests (under /bare).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, long> _arrivals = new();
    private WebApplication? _app;
    private long _bare;

    public Uri BaseAddress { get; private set; } = null!;
    public int Delivered => _arrivals.Count;
    public long BareRequests => Interlocked.Read(ref _bare);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add($"http://127.0.0.1:{ServerProcess.FreeTcpPort()}");
        app.MapPost("/hook/{n}", (HttpRequest request) =>
        {
            if (Guid.TryParse(request.Headers["webhook-id"], out var id)) receiver._arrivals.TryAdd(id, Stopwatch.GetTimestamp());

            return Results.Ok();
        });
        app.MapPost("/bare", () =>
        {
            Interlocked.Increment(ref receiver._bare);
            return Results.Ok();
        });
        await app.StartAsync();
        (receiver._app, receiver.BaseAddress) = (app, new Uri(app.Urls.First()));
        return receiver;
    }

    /// <summary>When the event first arrived (a <see cref="Stopwatch"/> timestamp), if it did.</summary>
    public long? ArrivalOf(Guid eventId) => _arrivals.TryGetValue(eventId, out var at) ? at : null;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
