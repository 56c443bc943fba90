using System.Diagnostics;
using System.Text.Json;

namespace Platform.AppHost.Tests;

/// <summary>What <c>azd</c> deploys: the manifest the AppHost publishes offline.</summary>
public sealed class PublishManifestTests
{
    private static readonly string[] Secrets =
        ["app-role-password", "platform-admin-password", "sample-user-password", "jwt-signing-key", "postgres-password", "archive-access-key", "archive-secret-key",
            "data-protection-certificate", "anthropic-api-key", "openai-api-key"];

    [Fact]
    public async Task The_manifest_lists_every_service_with_its_references_and_keeps_secrets_as_parameters()
    {
        var resources = (await PublishAsync()).GetProperty("resources");

        Assert.Equal("container.v0", resources.GetProperty("postgres").Str("type"));
        Assert.Equal("container.v0", resources.GetProperty("redis").Str("type"));
        foreach (var project in new[] { "migrator", "api", "worker" })
        {
            Assert.Equal("project.v0", resources.GetProperty(project).Str("type"));
        }

        Assert.Equal("{platformdb.connectionString}", Env(resources, "migrator", "ConnectionStrings__platformdb"));
        Assert.Equal("{platformdb-app.connectionString}", Env(resources, "api", "ConnectionStrings__platformdb"));
        Assert.Equal("{platformdb-app.connectionString}", Env(resources, "worker", "ConnectionStrings__platformdb"));
        Assert.Equal("{redis.connectionString}", Env(resources, "api", "ConnectionStrings__redis"));
        Assert.False(resources.GetProperty("worker").GetProperty("env").TryGetProperty("ConnectionStrings__redis", out _), "the worker uses no Redis");
        Assert.Contains("Username=platform_app", resources.GetProperty("platformdb-app").Str("connectionString"), StringComparison.Ordinal);

        // The operator's read replica: a connection string parameter, handed to the API and the worker.
        Assert.Equal("{platformdb-read.connectionString}", Env(resources, "api", "ConnectionStrings__platformdb-read"));
        Assert.Equal("{platformdb-read.connectionString}", Env(resources, "worker", "ConnectionStrings__platformdb-read"));
        Assert.Equal("parameter.v0", resources.GetProperty("platformdb-read").Str("type"));

        foreach (var secret in Secrets)
        {
            var parameter = resources.GetProperty(secret);
            Assert.Equal("parameter.v0", parameter.Str("type"));
            Assert.True(parameter.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean(), $"{secret} is not secret");
        }

        Assert.Equal("{jwt-signing-key.value}", Env(resources, "api", "Jwt__SigningKey"));
        Assert.Equal("{data-protection-certificate.value}", Env(resources, "api", "DataProtection__Certificate"));
        Assert.Equal("{data-protection-certificate.value}", Env(resources, "worker", "DataProtection__Certificate"));

        // Browser origins are the operator's to list; none unless they do.
        Assert.Equal("{cors-allowed-origins.value}", Env(resources, "api", "Cors__AllowedOrigins"));
        Assert.False(resources.GetProperty("cors-allowed-origins").GetProperty("inputs").GetProperty("value").TryGetProperty("secret", out var corsSecret)
            && corsSecret.GetBoolean());
        Assert.Equal("{anthropic-api-key.value}", Env(resources, "api", "ModelProviders__anthropic__ApiKey"));
        Assert.Equal("{openai-api-key.value}", Env(resources, "api", "ModelProviders__openai__ApiKey"));

        // The development certificate is never published: the operator supplies the deployment's own.
        Assert.False(resources.GetProperty("data-protection-certificate").GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _));
        Assert.Equal("{app-role-password.value}", Env(resources, "migrator", "Migrator__AppRolePassword"));
        Assert.Equal("{platform-admin-password.value}", Env(resources, "migrator", "Migrator__PlatformAdminPassword"));
        // Agents run on the operator's engine or swarm: both the worker and the API get its settings as parameters, the
        // client key as a secret, and nothing switches the runtime off.
        foreach (var service in new[] { "worker", "api" })
        {
            Assert.Equal("{runtime-backend.value}", Env(resources, service, "Runtime__Backend"));
            Assert.Equal("{runtime-endpoint.value}", Env(resources, service, "Runtime__Endpoint"));
            Assert.Equal("{runtime-ca-certificate.value}", Env(resources, service, "Runtime__CaCertificate"));
            Assert.Equal("{runtime-client-certificate.value}", Env(resources, service, "Runtime__ClientCertificate"));
            Assert.Equal("{runtime-client-key.value}", Env(resources, service, "Runtime__ClientKey"));
            Assert.Equal("{api.bindings.http.url}", Env(resources, service, "Runtime__ApiBaseUrl"));
            Assert.False(resources.GetProperty(service).GetProperty("env").TryGetProperty("Docker__Enabled", out _));
        }

        Assert.True(resources.GetProperty("runtime-client-key").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal("none", resources.GetProperty("runtime-backend").GetProperty("inputs").GetProperty("value").GetProperty("default").Str("value"));
    }

    private static string Env(JsonElement resources, string resource, string name) =>
        resources.GetProperty(resource).GetProperty("env").GetProperty(name).GetString()!;

    private static async Task<JsonElement> PublishAsync()
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("platform-manifest-").FullName, "aspire-manifest.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        foreach (var arg in new[] { "run", "--no-build", "--project", Path.Combine("src", "Platform.AppHost"), "--", "--publisher", "manifest", "--output-path", output })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"publishing failed: {await stdout}{await stderr}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken)).RootElement.Clone();
    }
}

internal static class JsonElementExtensions
{
    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
