using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data.Hosting;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

public sealed class DataProtectionSetupTests(SharedPostgres postgres)
{
    [Fact]
    public async Task The_key_ring_is_read_once_the_host_has_started_not_inside_its_start()
    {
        var database = await PlatformDatabase.CreateAsync(postgres.Server);
        var builder = Builder(new() { ["ConnectionStrings:platformdb"] = database.AppConnectionString });
        builder.AddPlatformData(exportsTelemetry: false);
        builder.AddPlatformDataProtection();

        Assert.DoesNotContain(builder.Services, d => d.ImplementationType?.Name == "DataProtectionHostedService");

        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // No key yet: the first read of the ring, by the warm-up after start, creates one.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (await KeyCountAsync(database) == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            Assert.Equal(1, await KeyCountAsync(database));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Data_Protection_registers_the_preloader_this_setup_removes()
    {
        // Guards the removal above against a rename in ASP.NET Core: without this, a renamed preloader would come back
        // unnoticed (a slower start, nothing failing).
        var services = new ServiceCollection();
        services.AddDataProtection();
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService");
    }

    [Theory]
    [InlineData("not base64!", "is not a base64 PFX")]
    [InlineData("", "is required here")]
    public void A_certificate_that_cannot_encrypt_the_key_ring_stops_the_start(string certificate, string expected)
    {
        var builder = Builder(new() { ["DataProtection:Certificate"] = certificate, ["DataProtection:RequireCertificate"] = "true" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddPlatformDataProtection());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_previous_certificate_without_its_private_key_is_refused()
    {
        using var full = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(TestCertificates.DataProtectionPfxBase64), null);
        using var publicOnly = X509CertificateLoader.LoadCertificate(full.Export(X509ContentType.Cert));
        var builder = Builder(new() { ["DataProtection:PreviousCertificates:0"] = Convert.ToBase64String(publicOnly.Export(X509ContentType.Pfx)) });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddPlatformDataProtection());

        Assert.Contains("DataProtection:PreviousCertificates:0 has no private key", error.Message, StringComparison.Ordinal);
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["DataProtection:Certificate"] = settings.GetValueOrDefault("DataProtection:Certificate", TestCertificates.DataProtectionPfxBase64),
        });
        return builder;
    }

    private static async Task<long> KeyCountAsync(PlatformDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
