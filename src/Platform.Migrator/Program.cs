namespace Platform.Migrator;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddServiceDefaults();

        builder.Services.AddOptions<MigratorOptions>()
            .BindConfiguration(MigratorOptions.SectionName)
            .ValidateDataAnnotations();

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Migrator");

        await host.StartAsync();
        var exitCode = await PlatformMigrator.RunFromHostAsync(host.Services, builder.Configuration, logger);
        await host.StopAsync();
        return exitCode;
    }
}
