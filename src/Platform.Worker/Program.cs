using Platform.Data.Hosting;
using Platform.Worker.Archival;
using Platform.Worker.Containers;
using Platform.Worker.Hangfire;
using Platform.Worker.HealthChecks;
using Platform.Worker.Jobs;
using Platform.Worker.Replication;
using Platform.Worker.Webhooks;

// `Platform.Worker verify-archive --tenant X` re-checks an archive chain and exits.
if (await ArchiveSetup.TryRunCommandAsync(args) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPlatformData(builder.ExportsTelemetry());
builder.AddAgentContainers();
builder.AddReplicaLagAlert();
builder.AddAuditArchival();
builder.AddPlatformHangfire();
builder.AddRetentionJobs();
builder.AddJobTriggers();
builder.AddWebhookDelivery();
builder.AddDashboardAuthentication();
builder.BoundHealthChecks();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapPlatformHangfireDashboard();
app.MapJobTriggers();

app.Run();
return 0;

/// <summary>Entry point, public so that tests can host the worker in process.</summary>
public partial class Program;
