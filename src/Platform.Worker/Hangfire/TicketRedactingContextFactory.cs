using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Data.Security;

namespace Platform.Worker.Hangfire;

/// <summary>The dashboard ticket a request presented, kept aside once the query string is redacted.</summary>
internal sealed record PresentedTicket(string Value);

/// <summary>
/// Takes a <c>ticket</c> out of the query string before the request is logged or traced (see the API's class of the same
/// name, which does the same for stream tickets): /hangfire/sign-in?ticket= never shows its ticket in a log or a span.
/// </summary>
internal sealed class TicketRedactingContextFactory(IServiceProvider services) : IHttpContextFactory
{
    private readonly DefaultHttpContextFactory _inner = new(services);

    public static void Register(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<IHttpContextFactory, TicketRedactingContextFactory>());

    public HttpContext Create(IFeatureCollection featureCollection)
    {
        if (featureCollection.Get<IHttpRequestFeature>() is { } request)
        {
            request.QueryString = TicketQuery.Redact(request.QueryString, out var ticket);
            if (ticket is not null)
            {
                var query = request.RawTarget.IndexOf('?', StringComparison.Ordinal);
                if (query >= 0)
                {
                    request.RawTarget = request.RawTarget[..query] + TicketQuery.Redact(request.RawTarget[query..], out _);
                }

                featureCollection.Set(new PresentedTicket(ticket));
            }
        }

        return _inner.Create(featureCollection);
    }

    public void Dispose(HttpContext httpContext) => _inner.Dispose(httpContext);
}
