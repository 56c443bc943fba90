using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Platform.Data.Hosting;

public static class PlatformDataProtection
{
    /// <summary>The application name every process shares, so the API and the worker read one key ring.</summary>
    public const string ApplicationName = "platform";

    /// <summary>
    /// ASP.NET Core Data Protection with its key ring in PostgreSQL (table <c>data_protection_keys</c>), encrypted with
    /// the configured certificate. Keys are data: they live where the data they protect lives, so a cache that restarts
    /// empty can never make a stored secret undecryptable. Needs <c>AddPlatformData</c>.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformDataProtection(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(DataProtectionKeyOptions.SectionName);
        var options = section.Get<DataProtectionKeyOptions>() ?? new DataProtectionKeyOptions();
        if (section[nameof(DataProtectionKeyOptions.RequireCertificate)] is null)
        {
            options.RequireCertificate = !builder.Environment.IsDevelopment() && !builder.Environment.IsEnvironment("Testing");
        }

        // Validated here, at start, rather than on first use: the certificate is needed to register the encryptor.
        var certificates = DataProtectionCertificates.Load(options);
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<PlatformDbContext>();
        if (certificates.Current is { } certificate)
        {
            dataProtection.ProtectKeysWithCertificate(certificate);
            dataProtection.UnprotectKeysWithAnyCertificate([certificate, .. certificates.Previous]);
        }

        // Data Protection's own hosted service reads the key ring synchronously inside the host's start, before Kestrel
        // listens: its query, the certificate's RSA and the XML decryption of every key were the largest part of the
        // API's start-up (bench P8). DataWarmup reads it once the host has started instead; a request that needs a key
        // before that reads the ring itself, as it would after the ring's cache expired.
        var preloader = builder.Services.FirstOrDefault(IsDataProtectionKeyRingPreloader);
        if (preloader is not null)
        {
            builder.Services.Remove(preloader);
        }

        return builder;
    }

    internal static bool IsDataProtectionKeyRingPreloader(ServiceDescriptor descriptor) =>
        descriptor.ServiceType == typeof(IHostedService)
        && descriptor.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";
}
