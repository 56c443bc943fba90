using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Platform.Api.Http;

/// <summary>JSON, validation, body limits, CORS and OpenAPI: how the API reads and writes HTTP.</summary>
public static class HttpSetup
{
    /// <summary>Request bodies above this are refused with 413 before they are read.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    /// <summary>How long a browser may reuse a preflight answer instead of asking before every request.</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static IHostApplicationBuilder AddPlatformHttp(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<JsonOptions>(options => Configure(options.SerializerOptions));
        builder.Services.AddValidation();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<KestrelServerOptions>(options =>
        {
            options.Limits.MaxRequestBodySize = MaxRequestBodyBytes;

            // Kestrel's default decoding refuses a header value that is not ASCII or valid UTF-8 with a bare 400 before any
            // app code runs. Decoded leniently (invalid bytes become U+FFFD), the value reaches the app, which answers it as
            // it answers any wrong value: a bad X-Api-Key is a 401 problem. NUL, CR and LF are still refused by Kestrel.
            options.RequestHeaderEncodingSelector = _ => LenientUtf8;
        });

        // Origins as one comma-separated value (what an Aspire parameter or environment variable carries) or as an array.
        // An array can arrive beside an empty value for its own key (a host that flattens configuration into arguments).
        var cors = builder.Configuration.GetSection("Cors:AllowedOrigins");
        string[] origins = [.. (cors.Value is { Length: > 0 } list ? list.Split(',') : cors.Get<string[]>() ?? [])
            .Select(o => o.Trim()).Where(o => o.Length > 0)];
        builder.Services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithHeaders("Authorization", "X-Api-Key", "Content-Type", "Last-Event-ID")
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            // What a frontend reads: where a created resource is, an export's file name, when to retry (429, 503). The
            // API sends no other rate-limit headers.
            .WithExposedHeaders("Location", "Content-Disposition", "Retry-After")
            .SetPreflightMaxAge(PreflightMaxAge)));

        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<OpenApiSecurityTransformer>()
            .AddOperationTransformer<OpenApiProblemResponses>()
            .AddOperationTransformer<OpenApiQueryParameters>()
            .AddSchemaTransformer<OpenApiTextSchemas>());
        return builder;
    }

    /// <summary>
    /// camelCase, enums as their lowercase names, unknown fields refused (no mass assignment), text PostgreSQL cannot store
    /// refused (<see cref="StorableText"/>), and the contract types' metadata generated at build time, with reflection behind
    /// it for every other type.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(ApiJsonContext.Default, options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver());
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new StorableStringConverter());
        options.Converters.Add(new StorableJsonElementConverter());
    }
}
