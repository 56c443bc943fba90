using Platform.Data.Hosting;
using Platform.Worker.Hangfire;
using Platform.Worker.Jobs;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPlatformData();
builder.AddRedisClient("redis");
builder.AddPlatformHangfire();
builder.AddRetentionJobs();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPlatformHangfireDashboard();

app.Run();
