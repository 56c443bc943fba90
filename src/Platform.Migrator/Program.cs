using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Migrator;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();

builder.Services.AddOptions<MigratorOptions>()
    .BindConfiguration(MigratorOptions.SectionName)
    .ValidateDataAnnotations();
builder.Services.AddSingleton<PlatformMigrator>();

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Migrator");

await host.StartAsync();
var exitCode = await PlatformMigrator.RunFromHostAsync(host.Services, builder.Configuration, logger);
await host.StopAsync();
return exitCode;
