using System.Net;
using Platform.Data.Webhooks;

namespace Platform.Api.Webhooks;

/// <summary>
/// What a webhook may be, checked on create and patch. The URL check here refuses what is visibly wrong (scheme, literal
/// refused addresses, localhost); the check that matters is the worker's on the address it actually connects to.
/// </summary>
internal static class WebhookRules
{
    public static void CheckUrl(string url, WebhookOptions options, Dictionary<string, string[]> errors)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            errors["url"] = ["Must be an absolute URL."];
            return;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && options.AllowHttp))
        {
            errors["url"] = [options.AllowHttp ? "Must be an http or https URL." : "Must be an https URL."];
            return;
        }

        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            errors["url"] = ["Must have no user information and no fragment."];
            return;
        }

        if (options.AllowedHosts.Contains(uri.IdnHost, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        var refusal = IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address)
            ? WebhookAddresses.Refusal(address)
            : uri.IsLoopback || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) ? "loopback" : null;
        if (refusal is not null)
        {
            errors["url"] = [$"The host is a {refusal.Replace('_', '-')} address, which webhooks may not reach."];
        }
    }

    public static void CheckEvents(string[] events, Dictionary<string, string[]> errors)
    {
        var unknown = events.Where(e => !WebhookEventTypes.All.Contains(e, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            errors["events"] = [$"Unknown event(s) {string.Join(", ", unknown)}; allowed: {string.Join(", ", WebhookEventTypes.All)}."];
        }
    }
}
