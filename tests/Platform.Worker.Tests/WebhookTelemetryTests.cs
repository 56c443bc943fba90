using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Platform.Worker.Webhooks;

namespace Platform.Worker.Tests;

/// <summary>
/// The delivery meter's instruments record what happened, and the delivery span continues the trace of the
/// transaction that wrote the event (its stored traceparent).
/// </summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookTelemetryTests(WorkerFixture fixture)
{
    private readonly WebhookTestKit _kit = new(fixture);

    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    [Fact]
    public async Task A_failed_then_delivered_attempt_are_counted_and_timed()
    {
        await using var receiver = new WebhookReceiver { Answer = n => n == 0 ? 500 : 200 };
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, _) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, "alert.raised");
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<Measurement>();
        using var listener = new MeterListener
        {
            // Only this test's meter: the factory is the meter's scope.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == WebhookAttemptRecorder.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue(new(i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue(new(i.Name, v, Tags(tags))));
        listener.Start();

        await _kit.RaiseAsync(tenantId);
        await using (var dispatcher = await _kit.StartAsync(WebhookTestKit.QuickRetries(), meters))
        {
            await dispatcher.UntilAsync(async () => await _kit.DeliveredAsync(webhookId) == 1, TimeSpan.FromSeconds(30));
        }

        var attempts = measurements.Where(m => m.Instrument == "platform.webhooks.attempts").ToList();
        Assert.Equal(["delivered", "failed"], attempts.Select(m => (string)m.Tags["outcome"]!).Order());
        Assert.All(attempts, m => Assert.Equal(1, m.Value));
        var failure = Assert.Single(measurements, m => m.Instrument == "platform.webhooks.failures");
        Assert.Equal("failed", failure.Tags["outcome"]);
        Assert.Equal(false, failure.Tags["final"]);
        var latencies = measurements.Where(m => m.Instrument == "platform.webhooks.latency").ToList();
        Assert.Equal(["delivered", "failed"], latencies.Select(m => (string)m.Tags["outcome"]!).Order());
        Assert.All(latencies, m => Assert.InRange(m.Value, double.Epsilon, 5_000));
    }

    [Fact]
    public async Task The_delivery_span_is_a_child_of_the_transaction_that_wrote_the_event()
    {
        using var source = new ActivitySource("Platform.Worker.Tests.Webhooks");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name || s.Name == WebhookDispatcher.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Source.Name == WebhookDispatcher.SourceName)
                {
                    spans.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, _) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, "alert.raised");

        ActivityContext change;
        using (var activity = source.StartActivity("raise alert"))
        {
            Assert.NotNull(activity);
            change = activity.Context;
            await _kit.RaiseAsync(tenantId);
        }

        bool Ours(Activity span) => (string?)span.GetTagItem("webhook.id") == webhookId.ToString();
        await _kit.RunUntilAsync(() => Task.FromResult(spans.Any(Ours)));

        var delivery = Assert.Single(spans, Ours);
        Assert.Equal(change.TraceId, delivery.TraceId);
        Assert.Equal(change.SpanId, delivery.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, delivery.Kind);
        Assert.Equal(204, delivery.GetTagItem("http.response.status_code"));
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>();
        foreach (var (key, value) in tags)
        {
            map[key] = value;
        }

        return map;
    }
}
