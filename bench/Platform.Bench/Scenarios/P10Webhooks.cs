using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Data.Hosting;
using Platform.Data.Resources;
using Platform.Data.Tenancy;
using Platform.Data.Webhooks;
using Platform.Worker.Webhooks;

namespace Platform.Bench;

/// <summary>
/// P10: the Release worker's webhook dispatcher delivering to a receiver on loopback that answers 200 at once
/// (<see cref="WebhookReceiver"/>), one webhook per tenant for as many tenants as fill the dispatcher's in-flight limit
/// at its per-endpoint limit. Events are committed through the data library's outbox (<see cref="WebhookOutbox.Add"/>
/// and SaveChanges, as the API's handlers write them), so the worker sees them as it sees the product's. Throughput: a
/// backlog committed at once, delivered events per second from the commit to the last arrival, against a bare
/// HttpClient loop posting the same signed body to the same receiver with the same concurrency. Latency: events
/// committed one per transaction at a steady rate, from each commit to its arrival.
/// </summary>
public sealed class P10Webhooks : IScenario
{
    private const int Backlog = 20_000;
    private const double Rate = 100;
    private static readonly TimeSpan BareDuration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SteadyDuration = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public string Id => "P10";
    public string Title => "Webhook deliveries";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var defaults = new WebhookDeliveryOptions();
        var (concurrency, endpoints) = (defaults.MaxInFlight, Math.Max(1, defaults.MaxInFlight / defaults.MaxConcurrencyPerEndpoint));
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        await using var dropped = new Finally(() => Sql.DropAsync(database));
        await using var receiver = await WebhookReceiver.StartAsync();
        var tenants = new List<Guid>();
        for (var i = 0; i < endpoints; i++)
        {
            tenants.Add(await database.CreateTenantAsync($"P10 tenant {i}"));
        }

        var key = await CreateWebhooksAsync(database, tenants, receiver.BaseAddress);
        await using var s3 = await LocalS3.StartAsync();
        var settings = BenchEnvironment.ArchiveSettings(s3, "p10-audit-archive");
        settings["ConnectionStrings__platformdb"] = database.AppConnectionString;
        settings["Runtime__Backend"] = "none";
        settings["Webhooks__AllowHttp"] = "true";
        settings["Webhooks__AllowedHosts__0"] = "127.0.0.1";
        await using var worker = await environment.StartWorkerAsync(settings);
        var outbox = new Outbox(Sql.AppOptions(database.AppConnectionString), tenants);

        // Warm-ups: the bare loop's client and the receiver, then the dispatcher's path and connections.
        await BareLoopAsync(receiver, key, concurrency, TimeSpan.FromSeconds(2));
        var bareRate = await BareLoopAsync(receiver, key, concurrency, BareDuration);
        await DeliverBacklogAsync(outbox, receiver, 200);
        var cpuBefore = worker.CpuSeconds;
        var (delivered, seconds) = await DeliverBacklogAsync(outbox, receiver, Backlog);
        var cpuPerDelivery = (worker.CpuSeconds - cpuBefore) / Math.Max(1, delivered);
        var oursRate = delivered / seconds;
        Console.WriteLine($"P10: bare loop {F(bareRate, "0")}/s; dispatcher {delivered} of {Backlog} in {F(seconds, "0.00")} s, worker CPU {F(cpuPerDelivery * 1000, "0.000")} ms per delivery");

        var (latencies, missing) = await SteadyAsync(outbox, receiver);
        var (p50, p99) = (Percentile(latencies, 0.5), Percentile(latencies, 0.99));
        Console.WriteLine($"P10: steady {F(Rate, "0")}/s: {latencies.Count} delivered, {missing} missing, p50 {Ms(p50)}, p99 {Ms(p99)}, max {Ms(latencies.DefaultIfEmpty(double.NaN).Max())}");
        return
        [
            new(Id, $"{Title}/s to a receiver answering at once, {endpoints} endpoints, {concurrency} in flight: worker's dispatcher ({N(Backlog)} committed at once) vs a bare HttpClient loop",
                $"{F(oursRate, "0")}/s" + (delivered < Backlog ? $" ({delivered} of {Backlog} within {Bound.TotalSeconds:0} s)" : ""), $"{F(bareRate, "0")}/s",
                ResultsTable.Ratio(oursRate, bareRate), "≥ 0.50×", oursRate >= 0.5 * bareRate && delivered == Backlog),
            new(Id, $"{Title}: commit-to-delivery p99 at a steady {Rate:0} events/s ({N((long)(Rate * SteadyDuration.TotalSeconds))} events, one transaction each)",
                $"{Ms(p99)} (p50 {Ms(p50)}; {missing} missing)", "-", "-", "≤ 1 s", p99 <= 1000 && missing == 0),
        ];
    }

    /// <summary>One webhook per tenant, subscribed to alert.raised, its secret encrypted with the key ring the worker reads; returns the signing key they share.</summary>
    private static async Task<byte[]> CreateWebhooksAsync(PlatformDatabase database, IReadOnlyList<Guid> tenants, Uri receiver)
    {
        var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:platformdb"] = database.AppConnectionString,
            ["DataProtection:Certificate"] = TestCertificates.DataProtectionPfxBase64,
        });
        host.Logging.ClearProviders();
        host.AddPlatformData(exportsTelemetry: false);
        host.AddPlatformDataProtection();
        host.Services.AddSingleton<WebhookSecrets>();
        using var services = host.Build();
        var secrets = services.Services.GetRequiredService<WebhookSecrets>();
        var (_, cipher) = secrets.Create();
        await using var db = PlatformDbContext.Create(Sql.AppOptions(database.AppConnectionString), TenantContext.ForPlatform());
        var now = DateTimeOffset.UtcNow;
        db.Webhooks.AddRange(tenants.Select((tenant, i) => new Webhook
        {
            TenantId = tenant, Url = new Uri(receiver, $"/hook/{i}").ToString(), Events = [WebhookEventTypes.AlertRaised], SecretCipher = cipher, CreatedAt = now, UpdatedAt = now,
        }));
        await db.SaveChangesAsync();
        return secrets.SigningKey(cipher);
    }

    /// <summary>What the dispatcher posts, signed the same way, by <paramref name="concurrency"/> loops sharing one HttpClient; requests per second.</summary>
    private static async Task<double> BareLoopAsync(WebhookReceiver receiver, byte[] key, int concurrency, TimeSpan duration)
    {
        using var http = new HttpClient();
        var url = new Uri(receiver.BaseAddress, "/bare");
        var before = receiver.BareRequests;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (watch.Elapsed < duration)
            {
                var e = Outbox.Event(Guid.NewGuid());
                var body = WebhookBody.Write(e.Id, e.Type, e.CreatedAt, e.TenantId, e.Data.RootElement.GetRawText());
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("webhook-id", e.Id.ToString());
                request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add("webhook-signature", WebhookSigner.Sign(e.Id.ToString(), timestamp, body, [key]));
                using var response = await http.SendAsync(request);
                Check(response.IsSuccessStatusCode, $"the receiver answered {(int)response.StatusCode}");
            }
        })));
        return (receiver.BareRequests - before) / watch.Elapsed.TotalSeconds;
    }

    /// <summary><paramref name="count"/> events committed in one transaction; how many arrived (within the bound) and the seconds from the commit to the last.</summary>
    private static async Task<(int Delivered, double Seconds)> DeliverBacklogAsync(Outbox outbox, WebhookReceiver receiver, int count)
    {
        var (ids, committed) = await outbox.CommitAsync(count);
        var watch = Stopwatch.StartNew();
        // The first event not yet arrived: those before it are not looked up again on every poll.
        var first = 0;
        while (watch.Elapsed < Bound)
        {
            while (first < ids.Length && receiver.ArrivalOf(ids[first]) is not null) first++;
            if (first == ids.Length) break;

            await Task.Delay(20);
        }

        var arrivals = ids.Select(receiver.ArrivalOf).OfType<long>().ToList();
        return (arrivals.Count, arrivals.Count == 0 ? double.NaN : Stopwatch.GetElapsedTime(committed, arrivals.Max()).TotalSeconds);
    }

    /// <summary>One event per transaction every 1 / <see cref="Rate"/> s (open loop: a slow commit does not delay the next); each commit's latency to its arrival.</summary>
    private static async Task<(List<double> Latencies, int Missing)> SteadyAsync(Outbox outbox, WebhookReceiver receiver)
    {
        var commits = new ConcurrentDictionary<Guid, long>();
        var total = (int)(Rate * SteadyDuration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var inserts = new List<Task>();
        for (var i = 0; i < total; i++)
        {
            if (TimeSpan.FromSeconds(i / Rate) - clock.Elapsed is { Ticks: > 0 } wait) await Task.Delay(wait);

            inserts.Add(Task.Run(async () =>
            {
                var (ids, committed) = await outbox.CommitAsync(1);
                commits[ids[0]] = committed;
            }));
        }

        await Task.WhenAll(inserts);
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < TimeSpan.FromSeconds(10) && commits.Keys.Any(id => receiver.ArrivalOf(id) is null)) await Task.Delay(50);

        var latencies = commits.Where(c => receiver.ArrivalOf(c.Key) is not null)
            .Select(c => Math.Max(0, Stopwatch.GetElapsedTime(c.Value, receiver.ArrivalOf(c.Key)!.Value).TotalMilliseconds)).ToList();
        return (latencies, total - latencies.Count);
    }

    /// <summary>Writes alert.raised events through the data library, the tenants taking turns.</summary>
    private sealed class Outbox(DbContextOptions<PlatformDbContext> options, IReadOnlyList<Guid> tenants)
    {
        private int _next;

        /// <summary>An alert as the poller raises one; the bare loop's body is the event it makes.</summary>
        public static AlertResponse Alert(Guid tenant) => new(Guid.CreateVersion7(), tenant, Guid.CreateVersion7(), "3f4e5d6c7b8a", "container_exited",
            AlertSeverity.Critical, "open", "Agent container exited", "The container of agent bench exited with code 137.", DateTimeOffset.UtcNow, null, null, null);

        public static WebhookEvent Event(Guid tenant) => new()
        {
            TenantId = tenant, Type = WebhookEventTypes.AlertRaised, Data = JsonSerializer.SerializeToDocument(Alert(tenant), WebhookOutbox.Json),
            CreatedAt = DateTimeOffset.UtcNow,
        };

        /// <summary>Commits <paramref name="count"/> events in one transaction; their ids and the <see cref="Stopwatch"/> timestamp once committed.</summary>
        public async Task<(Guid[] Ids, long Committed)> CommitAsync(int count)
        {
            await using var db = PlatformDbContext.Create(options, TenantContext.ForPlatform());
            var ids = new Guid[count];
            for (var i = 0; i < count; i++)
            {
                var tenant = tenants[Interlocked.Increment(ref _next) % tenants.Count];
                ids[i] = WebhookOutbox.Add(db, WebhookEventTypes.AlertRaised, tenant, Alert(tenant), DateTimeOffset.UtcNow).Id;
            }

            await db.SaveChangesAsync();
            return (ids, Stopwatch.GetTimestamp());
        }
    }
}
