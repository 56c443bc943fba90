namespace Platform.Api.Http;

/// <summary>
/// The query-string and route-value half of <see cref="StorableText"/> (the JSON converters are the body half): Kestrel
/// decodes <c>?q=%00</c> to a NUL that would reach PostgreSQL, so a request whose query or route values hold text the
/// database cannot store is refused as a validation problem naming the parameter, before any handler runs. Headers need
/// no check here: Kestrel refuses NUL in them, and decodes them to valid UTF-16 (see <see cref="HttpSetup"/>).
/// </summary>
public sealed class StorableRequestValuesMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var field = FirstUnstorable(context.Request);
        return field is null ? next(context) : Problems.Validation(field, StorableText.Message).ExecuteAsync(context);
    }

    private static string? FirstUnstorable(HttpRequest request)
    {
        foreach (var (key, values) in request.Query)
        {
            if (!StorableText.IsStorable(key))
            {
                return "query";
            }

            foreach (var value in values)
            {
                if (!StorableText.IsStorable(value))
                {
                    return key;
                }
            }
        }

        foreach (var (key, value) in request.RouteValues)
        {
            if (value is string text && !StorableText.IsStorable(text))
            {
                return key;
            }
        }

        return null;
    }
}
