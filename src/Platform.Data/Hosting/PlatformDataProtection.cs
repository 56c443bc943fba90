using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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
        var validation = new DataProtectionKeyOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(DataProtectionKeyOptions.SectionName, typeof(DataProtectionKeyOptions), validation.Failures);
        }

        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<PlatformDbContext>();
        if (options.LoadCertificate() is { } certificate)
        {
            dataProtection.ProtectKeysWithCertificate(certificate);
            dataProtection.UnprotectKeysWithAnyCertificate([certificate, .. options.LoadPreviousCertificates()]);
        }

        return builder;
    }
}
