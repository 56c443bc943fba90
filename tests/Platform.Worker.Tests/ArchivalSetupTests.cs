using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Data.Hosting;
using Platform.Tests.Support;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>The service registration and the <c>verify-archive</c> command line.</summary>
public sealed class ArchivalSetupTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_verify_command_reports_usage_errors_and_ignores_other_arguments()
    {
        Assert.Null(await ArchiveSetup.TryRunCommandAsync([], cancellationToken: Ct));
        Assert.Null(await ArchiveSetup.TryRunCommandAsync(["--urls", "http://127.0.0.1:0"], cancellationToken: Ct));

        using var error = new StringWriter();
        Assert.Equal(2, await ArchiveSetup.TryRunCommandAsync(["verify-archive"], TextWriter.Null, error, Ct));
        Assert.Contains("--tenant is required", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await ArchiveSetup.TryRunCommandAsync(["verify-archive", "--tenant", "acme"], TextWriter.Null, TextWriter.Null, Ct));
        Assert.Equal(2, await ArchiveSetup.TryRunCommandAsync(
            ["verify-archive", "--tenant", "platform", "--Archive:Bucket=Not_A_Bucket"], TextWriter.Null, TextWriter.Null, Ct));

        // An empty tenant archive is an intact (empty) chain.
        using var h = new ArchiveHarness(fixture, s3.S3);
        await h.Client.PutBucketAsync(h.Bucket, Ct);
        var (exitCode, output) = await h.VerifyCommandAsync(Guid.NewGuid().ToString());
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task AddAuditArchival_registers_the_job_the_verifier_and_validated_options()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:platformdb"] = fixture.Database.AppConnectionString,
            ["Archive:ServiceUrl"] = s3.S3.ServiceUrl,
            ["Archive:Bucket"] = "registration-check",
            ["Archive:AccessKey"] = LocalS3.AccessKey,
            ["Archive:SecretKey"] = LocalS3.SecretKey,
        });
        builder.Services.AddSingleton(TimeProvider.System); // the host's clock, as AddServiceDefaults registers it
        builder.AddPlatformData(exportsTelemetry: false);
        builder.AddAuditArchival();
        using (var host = builder.Build())
        {
            Assert.NotNull(host.Services.GetRequiredService<AuditArchiver>());
            Assert.NotNull(host.Services.GetRequiredService<ArchiveVerifier>());
            var options = host.Services.GetRequiredService<IOptions<S3ArchiveOptions>>().Value;
            Assert.True(options.EffectiveForcePathStyle);
            Assert.False(options.EffectiveUseChunkEncoding);
            Assert.Equal(90, options.RetentionDays);
        }

        // Unset deployment parameters arrive as empty strings: AWS, with the default credential chain.
        var aws = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        aws.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Archive:ServiceUrl"] = "",
            ["Archive:AccessKey"] = "",
            ["Archive:SecretKey"] = "",
        });
        aws.AddAuditArchival();
        using (var awsHost = aws.Build())
        {
            var options = awsHost.Services.GetRequiredService<IOptions<S3ArchiveOptions>>().Value;
            Assert.Null(options.EffectiveServiceUrl);
            Assert.False(options.EffectiveForcePathStyle);
            Assert.True(options.EffectiveUseChunkEncoding);
            Assert.Equal("platform-audit", options.Bucket);
            Assert.Equal("us-east-1", options.Region);
        }

        var invalid = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        invalid.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Archive:ServiceUrl"] = "not a url",
            ["Archive:AccessKey"] = "only-half",
        });
        invalid.AddAuditArchival();
        using var invalidHost = invalid.Build();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => invalidHost.StartAsync(Ct));
        Assert.Contains(failure.Failures, f => f.Contains("ServiceUrl", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("SecretKey", StringComparison.Ordinal));
    }
}
