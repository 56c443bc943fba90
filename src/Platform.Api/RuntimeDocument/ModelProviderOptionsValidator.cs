using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.Api.RuntimeDocument;

/// <summary>Refuses, at start, a provider name that is no plain word, a key with blanks, or an address that is not absolute http(s).</summary>
public sealed partial class ModelProviderOptionsValidator : IValidateOptions<ModelProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelProviderOptions options)
    {
        var errors = new List<string>();
        foreach (var (provider, settings) in options.Providers)
        {
            var setting = $"{ModelProviderOptions.SectionName}:{provider}";
            if (!ProviderName().IsMatch(provider))
            {
                errors.Add($"{setting}: a provider name is lower-case letters, digits, '-', '_' or '.', at most 64 characters.");
            }

            // Messages name the setting, never the value: it is a secret.
            if (settings.ApiKey is { Length: > 0 } key && (key.Length > 4096 || key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            {
                errors.Add($"{setting}:ApiKey must be at most 4096 characters without blanks or control characters.");
            }

            if (settings.BaseUrl is { Length: > 0 } url
                && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            {
                errors.Add($"{setting}:BaseUrl must be an absolute http or https URL.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex ProviderName();
}
