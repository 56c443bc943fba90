var body = File.ReadAllBytes(Environment.GetEnvironmentVariable("BODY_FILE") ?? throw new InvalidOperationException("BODY_FILE is not set"));

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/health", () => Results.Bytes(body, "application/json"));
app.MapGet("/api/v1/agents", () => Results.Bytes(body, "application/json"));
app.Run();
