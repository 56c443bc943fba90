using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Platform.Api.Http;

/// <summary>
/// Transport hygiene. Every response says <c>X-Content-Type-Options: nosniff</c>; every API response is
/// <c>Cache-Control: no-store</c> unless it says otherwise (tokens, secrets and tenant data must not sit in a browser or
/// proxy cache); outside Development HSTS is sent on HTTPS. Behind a TLS-terminating proxy (Azure Container Apps'
/// ingress, a load balancer) the scheme and client address come from <c>X-Forwarded-Proto</c> / <c>X-Forwarded-For</c>,
/// but only from the proxies and networks listed in <c>ForwardedHeaders:KnownProxies</c> / <c>KnownNetworks</c>:
/// anyone else could claim any address and escape the per-IP limits.
/// </summary>
public static class ResponseHardening
{
    public static IHostApplicationBuilder AddResponseHardening(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("ForwardedHeaders");
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        var invalid = proxies.Where(p => !IPAddress.TryParse(p, out _))
            .Concat(networks.Where(n => !IPNetwork.TryParse(n, out _))).ToList();
        if (invalid.Count > 0)
        {
            throw new InvalidOperationException(
                $"ForwardedHeaders:KnownProxies/KnownNetworks must be IP addresses / CIDR networks; not: {string.Join(", ", invalid)}.");
        }

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // The framework trusts loopback by default, and everyone when both lists are empty: here only what the
            // operator names is trusted, and without a name the headers are not read at all.
            options.ForwardedHeaders = proxies.Length + networks.Length > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(IPNetwork.Parse(network));
            }
        });
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    public static WebApplication UseResponseHardening(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var response = ((HttpContext)state).Response;
                response.Headers.XContentTypeOptions = "nosniff";
                if (string.IsNullOrEmpty(response.Headers.CacheControl) && ((HttpContext)state).Request.Path.StartsWithSegments("/api"))
                {
                    response.Headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        return app;
    }
}
