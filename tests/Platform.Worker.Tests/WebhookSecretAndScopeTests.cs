using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>Signatures during and after a secret rotation; platform-wide events reach platform-wide webhooks only.</summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookSecretAndScopeTests(WorkerFixture fixture)
{
    private readonly WebhookTestKit _kit = new(fixture);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task During_a_rotation_both_secrets_sign_each_its_own_signature_and_after_the_overlap_only_the_new_one()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (webhookId, current) = await _kit.CreateWebhookAsync(tenantId, receiver.Url, "alert.raised");
        var (previous, previousCipher) = WebhookTestKit.Secrets.Create();
        await SetPreviousSecretAsync(webhookId, previousCipher, DateTimeOffset.UtcNow.AddHours(1));

        await _kit.RaiseAsync(tenantId);
        await _kit.RunUntilAsync(async () => await _kit.DeliveredAsync(webhookId) == 1);
        var during = Assert.Single(receiver.Requests);
        var signatures = WebhookReceiver.Signatures(during);
        Assert.Equal(2, signatures.Length);
        Assert.All(signatures, s => Assert.StartsWith("v1,", s, StringComparison.Ordinal));
        Assert.Single(signatures, s => WebhookReceiver.SignedBy(s, during, current));
        Assert.Single(signatures, s => WebhookReceiver.SignedBy(s, during, previous));
        Assert.NotEqual(signatures[0], signatures[1]);

        await SetPreviousSecretAsync(webhookId, previousCipher, DateTimeOffset.UtcNow.AddMinutes(-1));
        await _kit.RaiseAsync(tenantId);
        await _kit.RunUntilAsync(async () => await _kit.DeliveredAsync(webhookId) == 2);
        var after = receiver.Requests.Last();
        Assert.NotEqual(during.Id, after.Id);
        var only = Assert.Single(WebhookReceiver.Signatures(after));
        Assert.True(WebhookReceiver.SignedBy(only, after, current));
        Assert.False(WebhookReceiver.Verifies(after, previous));
    }

    [Fact]
    public async Task A_tenantless_event_reaches_the_platform_wide_webhook_and_no_tenant_webhook()
    {
        await using var platformReceiver = new WebhookReceiver();
        await using var tenantReceiver = new WebhookReceiver();
        var tenantId = await fixture.Database.CreateTenantAsync();
        var (platformHook, platformSecret) = await _kit.CreateWebhookAsync(null, platformReceiver.Url, "alert.raised");
        var (tenantHook, _) = await _kit.CreateWebhookAsync(tenantId, tenantReceiver.Url, "alert.raised");

        WebhookReceiver.Received request;

        // As the poller raises it when the agent runtime does not answer: an alert that belongs to no tenant.
        var fingerprint = await _kit.RaiseAsync(null, AlertRules.DockerUnreachable);
        await using (var db = fixture.PlatformScoped())
        {
            var alertId = await db.Alerts.Where(a => a.Fingerprint == fingerprint).Select(a => a.Id).SingleAsync(Ct);
            bool IsTheAlert(WebhookReceiver.Received r) => Data(r).GetProperty("id").GetGuid() == alertId;
            await _kit.RunUntilAsync(() => Task.FromResult(platformReceiver.Requests.Any(IsTheAlert)));
            request = Assert.Single(platformReceiver.Requests, IsTheAlert);
        }

        Assert.True(WebhookReceiver.Verifies(request, platformSecret));
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(JsonValueKind.Null, body.GetProperty("tenantId").ValueKind);
        Assert.Equal("alert.raised", body.GetProperty("type").GetString());
        Assert.Equal(AlertRules.DockerUnreachable, Data(request).GetProperty("kind").GetString());

        // Fan-out writes an event's deliveries in one transaction before any is sent: none was written for the tenant's.
        Assert.Empty(await _kit.DeliveriesAsync(tenantHook));
        Assert.Empty(tenantReceiver.Requests);
    }

    private static JsonElement Data(WebhookReceiver.Received request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("data");

    private async Task SetPreviousSecretAsync(Guid webhookId, string cipher, DateTimeOffset expiresAt)
    {
        await using var db = fixture.PlatformScoped();
        await db.Webhooks.Where(w => w.Id == webhookId).ExecuteUpdateAsync(u => u
            .SetProperty(w => w.PreviousSecretCipher, cipher).SetProperty(w => w.PreviousSecretExpiresAt, expiresAt), Ct);
    }
}
