using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.Runtime;

/// <summary>
/// Validates <see cref="RuntimeOptions"/> at start: the ranges declared on the options (<see cref="RangeAttribute"/>s,
/// checked by source-generated code), then what no attribute can say: allowed values, the endpoint and its TLS material.
/// </summary>
public sealed partial class RuntimeOptionsValidator : IValidateOptions<RuntimeOptions>
{
    private static readonly RuntimeOptionsRangeValidator Ranges = new();

    private static readonly string[] Backends = ["engine", "swarm", "none"];
    private static readonly string[] EndpointSchemes = ["unix", "tcp", "npipe"];
    private static readonly string[] RestartPolicies = ["no", "always", "on-failure", "unless-stopped"];
    private static readonly string[] HealthCheckKinds = ["CMD", "CMD-SHELL", "NONE"];
    private static readonly string[] CertificateFiles = ["ca.pem", "cert.pem", "key.pem"];

    public ValidateOptionsResult Validate(string? name, RuntimeOptions options)
    {
        var errors = new List<string>(Ranges.Validate(name, options).Failures ?? []);
        if (!Backends.Contains(options.Backend.Trim().ToLowerInvariant()))
        {
            errors.Add($"Runtime:Backend must be one of {string.Join(", ", Backends)} (is '{options.Backend}').");
        }

        if (options.BackendKind != RuntimeBackend.None)
        {
            ValidateEndpoint(options, errors);
        }

        if (string.IsNullOrWhiteSpace(options.Scope) || !ScopePattern().IsMatch(options.Scope))
        {
            errors.Add("Runtime:Scope must be 1-63 characters of a-z, 0-9, '.', '_' or '-'.");
        }

        if (string.IsNullOrWhiteSpace(options.AgentImage))
        {
            errors.Add("Runtime:AgentImage is required.");
        }

        if (options.ApiBaseUrl is { Length: > 0 } api
            && (!Uri.TryCreate(api, UriKind.Absolute, out var apiUri) || (apiUri.Scheme != Uri.UriSchemeHttp && apiUri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Runtime:ApiBaseUrl '{api}' must be an absolute http(s) URL.");
        }

        if (!options.NetworkPerTenant && string.IsNullOrWhiteSpace(options.NetworkMode))
        {
            errors.Add("Runtime:NetworkMode is required (\"none\" for no network).");
        }

        if (!RestartPolicies.Contains(options.RestartPolicy))
        {
            errors.Add($"Runtime:RestartPolicy must be one of {string.Join(", ", RestartPolicies)}.");
        }

        if (options.HealthCheck is { } check)
        {
            if (check.Length == 0 || !HealthCheckKinds.Contains(check[0]))
            {
                errors.Add("Runtime:HealthCheck must start with CMD, CMD-SHELL or NONE.");
            }
            else if (check[0] != "NONE" && (check.Length < 2 || check.Skip(1).Any(string.IsNullOrWhiteSpace)))
            {
                errors.Add("Runtime:HealthCheck needs a command after " + check[0] + ".");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateEndpoint(RuntimeOptions options, List<string> errors)
    {
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || !EndpointSchemes.Contains(endpoint.Scheme))
        {
            errors.Add($"Runtime:Endpoint '{options.Endpoint}' is not a Docker endpoint (unix://, tcp://host:port, npipe://).");
            return;
        }

        var pemParts = new[] { options.CaCertificate, options.ClientCertificate, options.ClientKey }.Count(p => !string.IsNullOrWhiteSpace(p));
        var hasDirectory = !string.IsNullOrWhiteSpace(options.CertificateDirectory);
        if (hasDirectory && pemParts > 0)
        {
            errors.Add("Runtime: give the TLS material either as Runtime:CertificateDirectory or as Runtime:CaCertificate/ClientCertificate/ClientKey, not both.");
        }
        else if (pemParts is > 0 and < 3)
        {
            errors.Add("Runtime:CaCertificate, Runtime:ClientCertificate and Runtime:ClientKey go together: the server is verified with the CA.");
        }
        else if (hasDirectory)
        {
            var missing = CertificateFiles.Where(f => !File.Exists(Path.Combine(options.CertificateDirectory!, f))).ToList();
            if (missing.Count > 0)
            {
                errors.Add($"Runtime:CertificateDirectory '{options.CertificateDirectory}' lacks {string.Join(", ", missing)}.");
            }
        }

        if (endpoint.Scheme == "tcp" && !options.HasTls && !options.AllowInsecure)
        {
            errors.Add($"Runtime:Endpoint '{options.Endpoint}' is plain TCP: anyone on the network could run containers. Give TLS client " +
                "certificates (Runtime:CertificateDirectory, or Runtime:CaCertificate/ClientCertificate/ClientKey), or set Runtime:AllowInsecure=true.");
        }

        if (endpoint.Scheme != "tcp" && options.HasTls)
        {
            errors.Add($"Runtime: TLS certificates need a tcp:// endpoint, not '{options.Endpoint}'.");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex ScopePattern();
}
