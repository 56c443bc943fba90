using Platform.Api;
using Platform.Api.Infrastructure;
using Platform.Data.Hosting;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPlatformData();
builder.AddRedisClient("redis");
builder.AddPlatformProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.MapScalarApiReference();
app.MapDefaultEndpoints();

app.MapGroup("/api/v1").MapPlatformApi();

app.Run();

/// <summary>Entry point, public so that tests can host the API in process.</summary>
public partial class Program;
