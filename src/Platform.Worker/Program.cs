using Platform.Data.Hosting;
using Platform.Worker.Hangfire;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPlatformData();
builder.AddRedisClient("redis");
builder.AddPlatformHangfire();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPlatformHangfireDashboard();

app.Run();
