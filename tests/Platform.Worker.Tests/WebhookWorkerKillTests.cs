using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Hosting;
using Platform.Data.Tenancy;
using Platform.Data.Webhooks;
using Platform.Tests.Support;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>
/// A worker process killed with SIGKILL while it delivers an event: the next worker process takes the delivery once its
/// claim's lease is over and delivers it, with the same <c>webhook-id</c> (at least once, never lost).
/// </summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookWorkerKillTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_killed_mid_delivery_is_followed_by_one_that_delivers_the_event()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        var tenantId = await database.CreateTenantAsync();
        await using var receiver = new WebhookReceiver { Answer = n => n == 0 ? 0 : 200 };

        // The secret encrypted with the key ring the worker reads (the same database and certificate).
        var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:platformdb"] = database.AppConnectionString,
            ["DataProtection:Certificate"] = TestCertificates.DataProtectionPfxBase64,
        });
        host.AddPlatformData(exportsTelemetry: false);
        host.AddPlatformDataProtection();
        host.Services.AddSingleton<WebhookSecrets>();
        using var services = host.Build();
        var (secret, cipher) = services.Services.GetRequiredService<WebhookSecrets>().Create();

        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, database.AppConnectionString);
        var now = DateTimeOffset.UtcNow;
        var webhook = new Webhook { TenantId = tenantId, Url = receiver.Url, Events = ["alert.raised"], SecretCipher = cipher, CreatedAt = now, UpdatedAt = now };
        await using (var db = PlatformDbContext.Create(options.Options, TenantContext.ForPlatform()))
        {
            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync(Ct);
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await new AlertStore(TimeProvider.System).OpenAsync(db, new AlertDraft(
                tenantId, null, null, "test_alert", AlertSeverity.Warning, "t", "m", $"kill-test:{Guid.NewGuid()}"), Ct);
            await transaction.CommitAsync(Ct);
        }

        var settings = WorkerProcess.Settings(database, s3.S3.ServiceUrl, "hooks-" + Guid.NewGuid().ToString("N")[..12]);
        settings["Webhooks__AllowHttp"] = "true";
        settings["Webhooks__AllowedHosts__0"] = "127.0.0.1";
        settings["Webhooks__Delivery__TimeoutSeconds"] = "10";
        settings["Webhooks__Delivery__LeaseMarginSeconds"] = "1";

        await using (var first = await WorkerProcess.StartAsync(settings, Ct))
        {
            await WaitAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), TimeSpan.FromSeconds(60), () => first.Output);
            await first.KillAsync();
        }

        await using var second = await WorkerProcess.StartAsync(settings, Ct);
        await WaitAsync(async () =>
        {
            await using var db = PlatformDbContext.Create(options.Options, TenantContext.ForPlatform());
            return await db.WebhookDeliveries.AnyAsync(d => d.WebhookId == webhook.Id && d.State == WebhookDeliveryState.Delivered, Ct);
        }, TimeSpan.FromSeconds(60), () => second.Output);

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Id).Distinct());
        Assert.All(receiver.Requests, r => Assert.True(WebhookReceiver.Verifies(r, secret)));
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan bound, Func<string> output)
    {
        var until = DateTimeOffset.UtcNow + bound;
        while (!await done())
        {
            Assert.True(DateTimeOffset.UtcNow < until, "not done in time; worker output:\n" + output());
            await Task.Delay(100, Ct);
        }
    }
}
