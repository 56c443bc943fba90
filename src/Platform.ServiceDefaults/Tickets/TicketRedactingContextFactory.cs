using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.ServiceDefaults.Tickets;

/// <summary>
/// Creates each request's context after taking its <c>ticket</c> out of the query string (<see cref="TicketQuery"/>): the
/// server hands the request to the hosting layer here, before the request is logged or traced, so neither ASP.NET Core's
/// request logs nor the tracing instrumentation (url.query, url.full) ever see a ticket. Authentication reads it from
/// the <see cref="PresentedTicket"/> feature. The API's stream tickets and the worker's dashboard sign-in
/// (<c>/hangfire/sign-in?ticket=</c>) both register it.
/// </summary>
public sealed class TicketRedactingContextFactory(IServiceProvider services) : IHttpContextFactory
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
