using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

// What any API on this stack pays at start: the host, EF Core with Npgsql and one entity, Redis, JWT bearer, OpenAPI,
// health checks of the database and Redis; and one authorised list endpoint. Configured as Platform.Api is
// (ConnectionStrings:platformdb and :redis, Jwt:SigningKey).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<ReferenceDbContext>("platformdb");
builder.AddRedisClient("redis");
builder.Services.AddOpenApi();
builder.Services.AddAuthorization();
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
{
    options.MapInboundClaims = false;
    options.TokenValidationParameters = new TokenValidationParameters
    {
        ValidIssuer = "platform",
        ValidAudience = "platform-api",
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(
            builder.Configuration["Jwt:SigningKey"] ?? throw new InvalidOperationException("Jwt:SigningKey is not set"))),
    };
});

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapGet("/api/v1/agents", async (ReferenceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Agents.OrderByDescending(a => a.Id).Take(50).ToListAsync(cancellationToken)))
    .RequireAuthorization();
app.Run();

/// <summary>The one entity: ten columns of the agents table, one of them jsonb.</summary>
internal sealed class ReferenceAgent
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string? ContainerId { get; set; }
    public JsonDocument ToolPolicy { get; set; } = JsonDocument.Parse("{}");
    public int ProvisionAttempts { get; set; }
    public DateTimeOffset? LastActiveAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ReferenceDbContext(DbContextOptions<ReferenceDbContext> options) : DbContext(options)
{
    public DbSet<ReferenceAgent> Agents => Set<ReferenceAgent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var agent = modelBuilder.Entity<ReferenceAgent>().ToTable("agents");
        foreach (var property in agent.Metadata.GetProperties()) property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));

        agent.Property(a => a.ToolPolicy).HasColumnType("jsonb");
    }
}
