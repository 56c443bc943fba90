using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Data.Entities;
using Platform.Data.Webhooks;
using Platform.Worker.Containers;
using Platform.Worker.Webhooks;

namespace Platform.Worker.Tests;

/// <summary>Runs alone: any other worker on the shared database would claim these deliveries with its own key ring.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WebhookCollection
{
    public const string Name = "webhooks";
}

/// <summary>Webhook delivery against a real receiver on loopback (allowed by configuration), from the outbox to the HTTP call.</summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookDeliveryTests(WorkerFixture fixture)
{
    private readonly WebhookTestKit _kit = new(fixture);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_alert_raised_as_the_poller_raises_it_reaches_the_receiver_signed_as_the_spec_says()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, secret) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, WebhookEventTypes.AlertRaised);

        await using (var db = fixture.PlatformScoped())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            Assert.True(await new AlertStore(TimeProvider.System).OpenAsync(db, new AlertDraft(
                tenantId, null, "c-1", "container_unhealthy", AlertSeverity.Warning, "Unhealthy", "m", $"hook-test:{Guid.NewGuid()}"), Ct));
            await transaction.CommitAsync(Ct);
        }

        await _kit.RunUntilAsync(async () => await _kit.DeliveriesAsync(webhookId) is [{ State: WebhookDeliveryState.Delivered }]);

        var request = Assert.Single(receiver.Requests);
        Assert.True(WebhookReceiver.Verifies(request, secret), "the signature does not verify");
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(request.Id, body.GetProperty("id").GetString());
        Assert.Equal("alert.raised", body.GetProperty("type").GetString());
        Assert.Equal(tenantId, body.GetProperty("tenantId").GetGuid());
        Assert.Equal("container_unhealthy", body.GetProperty("data").GetProperty("kind").GetString());
        Assert.Equal("open", body.GetProperty("data").GetProperty("state").GetString());
        Assert.InRange(long.Parse(request.Timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public async Task A_receiver_that_fails_three_times_gets_one_delivered_event_and_three_failed_attempts()
    {
        await using var receiver = new WebhookReceiver { Answer = n => n < 3 ? 500 : 200 };
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, secret) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, WebhookEventTypes.AlertRaised);
        await _kit.RaiseAsync(tenantId);

        await _kit.RunUntilAsync(async () => await _kit.DeliveriesAsync(webhookId) is [{ State: not WebhookDeliveryState.Pending }]);

        var delivery = Assert.Single(await _kit.DeliveriesAsync(webhookId));
        Assert.Equal(WebhookDeliveryState.Delivered, delivery.State);
        Assert.Equal(4, delivery.AttemptCount);
        await using var db = fixture.PlatformScoped();
        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == delivery.Id).OrderBy(a => a.AttemptedAt).ToListAsync(Ct);
        Assert.Equal([500, 500, 500, 200], attempts.Select(a => a.StatusCode ?? 0));
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Id).Distinct());
        Assert.All(receiver.Requests, r => Assert.True(WebhookReceiver.Verifies(r, secret)));
    }

    [Fact]
    public async Task Gone_disables_the_endpoint()
    {
        await using var receiver = new WebhookReceiver { Answer = _ => 410 };
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, _) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, WebhookEventTypes.AlertRaised);
        await _kit.RaiseAsync(tenantId);

        await _kit.RunUntilAsync(async () => await _kit.DeliveriesAsync(webhookId) is [{ State: not WebhookDeliveryState.Pending }]);

        Assert.Equal(WebhookDeliveryState.Failed, (await _kit.DeliveriesAsync(webhookId)).Single().State);
        await using var db = fixture.PlatformScoped();
        var webhook = await db.Webhooks.AsNoTracking().SingleAsync(w => w.Id == webhookId, Ct);
        Assert.False(webhook.Enabled);
        Assert.Equal("gone", webhook.DisabledReason);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task An_endpoint_failing_everything_for_five_days_is_disabled_with_one_alert_for_its_tenant()
    {
        await using var receiver = new WebhookReceiver { Answer = _ => 503 };
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, _) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, WebhookEventTypes.AlertRaised);
        await using (var db = fixture.PlatformScoped())
        {
            await db.Webhooks.Where(w => w.Id == webhookId)
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.FailingSince, DateTimeOffset.UtcNow.AddDays(-5).AddMinutes(-1)), Ct);
        }

        await _kit.RaiseAsync(tenantId);
        await _kit.RaiseAsync(tenantId);
        await _kit.RunUntilAsync(async () => (await _kit.DeliveriesAsync(webhookId)).Count(d => d.State == WebhookDeliveryState.Failed) == 2);

        await using var check = fixture.PlatformScoped();
        var webhook = await check.Webhooks.AsNoTracking().SingleAsync(w => w.Id == webhookId, Ct);
        Assert.False(webhook.Enabled);
        Assert.Equal("failing", webhook.DisabledReason);
        var alert = Assert.Single(await check.Alerts.AsNoTracking().Where(a => a.Fingerprint == $"webhook_disabled:{webhookId}").ToListAsync(Ct));
        Assert.Equal(tenantId, alert.TenantId);
        Assert.Null(alert.ResolvedAt);
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("localhost", "loopback")]
    [InlineData("vm", "loopback")]
    [InlineData("[::1]", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("192.168.0.10", "private")]
    [InlineData("[fd12::1]", "private")]
    [InlineData("169.254.10.1", "link_local")]
    [InlineData("[fe80::1]", "link_local")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("[fd00:ec2::254]", "metadata")]
    public async Task A_refused_address_is_never_connected(string host, string reason)
    {
        // "vm" is a name /etc/hosts resolves to 127.0.0.1: the check is on what the name resolves to at delivery time.
        using var http = WebhookHttp.Create(new WebhookOptions { AllowHttp = true }, WebhookTestKit.QuickRetries());
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync($"http://{host}:9/hook", new StringContent("{}"), Ct));
        var refused = Assert.IsType<WebhookAddressRefusedException>(failure.InnerException);
        Assert.Equal(reason, refused.Reason);
    }
}
