using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Api.Http;
using Platform.Data.Resources;

namespace Platform.Api.Tests;

/// <summary>
/// Request and response bodies get JSON metadata generated at build time. A contract type left out of the list still
/// works through reflection, so nothing else would notice; only start-up would get slower again (bench P8).
/// </summary>
public sealed class JsonContractTests(ApiFixture fixture)
{
    [Fact]
    public void Every_body_an_endpoint_declares_has_generated_metadata()
    {
        var declared = fixture.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .SelectMany(endpoint => endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.Type)
                .Concat(endpoint.Metadata.OfType<IAcceptsMetadata>().Select(m => m.RequestType)))
            .OfType<Type>()
            .Where(type => type.Namespace?.StartsWith("Platform.", StringComparison.Ordinal) == true)
            .Distinct()
            .ToList();

        Assert.True(declared.Count > 40, $"only {declared.Count} contract types found in the endpoints' metadata");
        Assert.Empty(declared.Where(type => ApiJsonContext.Default.GetTypeInfo(type) is null).Select(type => type.Name));
    }

    [Fact]
    public void The_api_serializes_contract_types_from_the_generated_metadata()
    {
        var options = fixture.Api.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        Assert.Same(ApiJsonContext.Default, options.GetTypeInfo(typeof(AgentResponse)).OriginatingResolver);
        Assert.Same(ApiJsonContext.Default, options.GetTypeInfo(typeof(Page<AgentResponse>)).OriginatingResolver);
    }
}
