using Platform.Worker.Webhooks;

namespace Platform.Worker.Tests;

/// <summary>
/// One slow receiver never delays another tenant's deliveries: tenant A's receiver never answers (each attempt waits
/// out the 15 s timeout) while many of its events are due, and tenant B's events still arrive within a few seconds,
/// the bound the issue states, not behind A's timeouts.
/// </summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookFairnessTests(WorkerFixture fixture)
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);
    private readonly WebhookTestKit _kit = new(fixture);

    [Fact]
    public async Task A_receiver_that_hangs_on_many_events_does_not_hold_up_another_tenants_deliveries()
    {
        await using var hanging = new WebhookReceiver { Answer = _ => 0 };
        await using var prompt = new WebhookReceiver();
        var slowTenant = await fixture.Database.CreateTenantAsync();
        var otherTenant = await fixture.Database.CreateTenantAsync();
        var (slowHook, _) = await _kit.CreateWebhookAsync(slowTenant, hanging.Url, "alert.raised");
        var (otherHook, _) = await _kit.CreateWebhookAsync(otherTenant, prompt.Url, "alert.raised");
        // The worker's defaults (15 s timeout, per-endpoint and global caps), with a long poll: wake-ups drive it. More
        // of A's events are due than the whole pool holds, so only the per-endpoint cap keeps A from taking all of it.
        var delivery = new WebhookDeliveryOptions { PollIntervalMs = 60_000 };
        for (var i = 0; i < delivery.MaxInFlight + 16; i++)
        {
            await _kit.RaiseAsync(slowTenant);
        }

        await using var dispatcher = await _kit.StartAsync(delivery);
        await dispatcher.UntilAsync(() => Task.FromResult(hanging.Requests.Count >= delivery.MaxConcurrencyPerEndpoint), TimeSpan.FromSeconds(10));

        for (var i = 0; i < 5; i++)
        {
            await _kit.RaiseAsync(otherTenant);
        }

        await dispatcher.UntilAsync(async () => await _kit.DeliveredAsync(otherHook) == 5, Prompt);
        Assert.Equal(5, prompt.Requests.Count);
        Assert.Equal(0, await _kit.DeliveredAsync(slowHook));
        Assert.InRange(hanging.Requests.Count, 1, delivery.MaxConcurrencyPerEndpoint);
        await _kit.DeleteWebhooksAsync(slowTenant);
    }

    [Fact]
    public async Task A_tenant_with_many_hanging_webhooks_holds_only_its_share_of_the_pool()
    {
        await using var hanging = new WebhookReceiver { Answer = _ => 0 };
        await using var prompt = new WebhookReceiver();
        var slowTenant = await fixture.Database.CreateTenantAsync();
        var otherTenant = await fixture.Database.CreateTenantAsync();
        // A small pool so that A's webhooks, each within the per-endpoint cap, hold enough due deliveries to fill all of
        // it; the timeout is longer than the bound, so B's events arriving in time cannot have waited for A's slots.
        var delivery = new WebhookDeliveryOptions
        {
            PollIntervalMs = 60_000, TimeoutSeconds = 8, MaxInFlight = 8, MaxConcurrencyPerEndpoint = 2, MaxInFlightPerTenant = 4,
        };
        var slowHooks = new List<Guid>();
        for (var i = 0; i < delivery.MaxInFlight / delivery.MaxConcurrencyPerEndpoint + 1; i++)
        {
            slowHooks.Add((await _kit.CreateWebhookAsync(slowTenant, $"{hanging.Url}/{i}", "alert.raised")).Id);
        }

        var (otherHook, _) = await _kit.CreateWebhookAsync(otherTenant, prompt.Url, "alert.raised");
        for (var i = 0; i < delivery.MaxConcurrencyPerEndpoint + 1; i++)
        {
            await _kit.RaiseAsync(slowTenant);
        }

        await using var dispatcher = await _kit.StartAsync(delivery);
        await dispatcher.UntilAsync(() => Task.FromResult(hanging.Requests.Count >= delivery.MaxInFlightPerTenant), TimeSpan.FromSeconds(5));

        for (var i = 0; i < 5; i++)
        {
            await _kit.RaiseAsync(otherTenant);
        }

        await dispatcher.UntilAsync(async () => await _kit.DeliveredAsync(otherHook) == 5, Prompt);
        Assert.Equal(5, prompt.Requests.Count);
        Assert.Equal(delivery.MaxInFlightPerTenant, hanging.Requests.Count);
        await _kit.DeleteWebhooksAsync(slowTenant);
    }
}
