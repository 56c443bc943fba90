using System.Diagnostics;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

/// <summary>The Migrator executable fails with one clear line that names the setting or the server.</summary>
public sealed class MigratorProcessTests(SharedPostgres postgres)
{
    [Fact]
    public async Task A_missing_admin_password_fails_naming_the_setting_and_changes_nothing()
    {
        var database = "platform_" + Guid.NewGuid().ToString("N")[..12];
        var (exitCode, output) = await RunMigratorAsync(new()
        {
            ["ConnectionStrings__platformdb"] = postgres.Server.ConnectionString(database),
            ["Migrator__AppRolePassword"] = PlatformDatabase.AppRolePassword,
            ["Migrator__PlatformAdminEmail"] = "admin@platform.test",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("PlatformAdminPassword", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(await DatabaseExistsAsync(database));
    }

    [Fact]
    public async Task An_unreachable_database_fails_naming_the_server()
    {
        var port = ServerProcess.FreeTcpPort();
        var (exitCode, output) = await RunMigratorAsync(new()
        {
            ["ConnectionStrings__platformdb"] = $"Host=127.0.0.1;Port={port};Database=platform;Username=postgres",
            ["Migrator__AppRolePassword"] = PlatformDatabase.AppRolePassword,
            ["Migrator__PlatformAdminEmail"] = "admin@platform.test",
            ["Migrator__PlatformAdminPassword"] = "platform-admin-password",
            ["Migrator__ConnectTimeoutSeconds"] = "0",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains($"127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.Contains("unreachable", output, StringComparison.Ordinal);
    }

    private async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var connection = new Npgsql.NpgsqlConnection(postgres.Server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @n", connection);
        command.Parameters.AddWithValue("n", name);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private static async Task<(int ExitCode, string Output)> RunMigratorAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.Migrator.dll"));
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
