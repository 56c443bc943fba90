using Microsoft.Extensions.Configuration;
using Platform.Api.RuntimeDocument;

namespace Platform.Api.Tests;

/// <summary>The <c>ModelProviders</c> section: validated at start, never quoting a key; an empty provider is left out.</summary>
public sealed class ModelProviderOptionsTests(ApiFixture fixture)
{
    [Fact]
    public void Providers_bind_by_name_and_one_without_key_or_address_is_left_out()
    {
        var options = Bind(new()
        {
            ["ModelProviders:anthropic:ApiKey"] = "sk-ant-1",
            ["ModelProviders:openai:ApiKey"] = "",
            ["ModelProviders:local:BaseUrl"] = "http://127.0.0.1:11434/v1",
        });

        Assert.True(new ModelProviderOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["anthropic", "local"], options.Configured.Select(p => p.Key));
        Assert.DoesNotContain("sk-ant-1", options.Providers["anthropic"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_name_key_or_address_fails_validation_without_quoting_the_key()
    {
        var options = Bind(new()
        {
            ["ModelProviders:Anthropic:ApiKey"] = "sk-ant-1",
            ["ModelProviders:openai:ApiKey"] = "sk has blanks",
            ["ModelProviders:openai:BaseUrl"] = "ftp://models.example.test",
        });

        var result = new ModelProviderOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.DoesNotContain("sk has blanks", result.FailureMessage, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => Bind(new() { ["ModelProviders:openai:Model"] = "gpt" }));
    }

    [Fact]
    public void The_api_does_not_start_with_an_invalid_model_provider()
    {
        var error = Assert.ThrowsAny<Exception>(() => new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["ModelProviders:openai:BaseUrl"] = "not a url" }));
        Assert.Contains("ModelProviders:openai:BaseUrl", error.ToString(), StringComparison.Ordinal);
    }

    private static ModelProviderOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new ModelProviderOptions();
        ModelProviderOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return options;
    }
}
