using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;

namespace Platform.Api.Infrastructure;

/// <summary>JSON, validation, body limits, CORS and OpenAPI: how the API reads and writes HTTP.</summary>
public static class HttpSetup
{
    /// <summary>Request bodies above this are refused with 413 before they are read.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    public static IHostApplicationBuilder AddPlatformHttp(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<JsonOptions>(options => Configure(options.SerializerOptions));
        builder.Services.AddValidation();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options =>
            options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        var origins = builder.Configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithHeaders("Authorization", "X-Api-Key", "Content-Type", "Last-Event-ID")
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithExposedHeaders("Retry-After")));

        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<OpenApiSecurityTransformer>()
            .AddOperationTransformer<OpenApiProblemResponses>()
            .AddOperationTransformer<OpenApiQueryParameters>());
        return builder;
    }

    /// <summary>
    /// camelCase, enums as their lowercase names, unknown fields refused (no mass assignment), and the contract types'
    /// metadata generated at build time, with reflection behind it for every other type.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(ApiJsonContext.Default, options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver());
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }
}
