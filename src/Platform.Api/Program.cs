using Platform.Api;
using Platform.Api.Console;
using Platform.Api.Http;
using Platform.Api.RateLimiting;
using Platform.Api.Redis;
using Platform.Api.Security;
using Platform.Data.Hosting;
using Platform.Runtime;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPlatformData(builder.ExportsTelemetry(), sessionStateFree: true);
builder.AddPlatformRedis();
builder.AddAgentRuntime();
builder.AddPlatformProblemDetails();
builder.AddPlatformHttp();
builder.AddResponseHardening();
builder.AddPlatformSecurity();
builder.Services.AddTenantRateLimits();
builder.Services.AddPlatformFeatures();

var app = builder.Build();

app.UseResponseHardening();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseOperatorConsole();
app.UseMiddleware<StorableRequestValuesMiddleware>();
app.UseAuthentication();
app.UseMiddleware<TenantScopeMiddleware>();
app.UseRateLimiter();
app.UseAuthorization();

app.MapOpenApi();
app.MapScalarApiReference();
app.MapDefaultEndpoints();

app.MapGroup("/api/v1").WithReplicaFallback().MapPlatformApi();

app.Run();

/// <summary>Entry point, public so that tests can host the API in process.</summary>
public partial class Program;
