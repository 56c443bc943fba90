namespace Platform.ServiceDefaults.Tickets;

/// <summary>
/// Takes the <c>ticket</c> parameter out of a raw query string before anything records the request (hosting logs, traces,
/// HTTP logging), so a ticket never reaches a log or a trace; the hosts keep the value aside for authentication.
/// </summary>
public static class TicketQuery
{
    /// <summary>The query parameter that carries a ticket, in the API (stream tickets) and the worker (dashboard sign-in).</summary>
    public const string ParameterName = "ticket";

    /// <summary>What a host puts in the query string where the ticket was, so a log still shows that one was presented.</summary>
    public const string Redacted = "redacted";

    /// <summary>
    /// Splits <paramref name="query"/> (with its leading <c>?</c>, or empty) into the query with every ticket value
    /// replaced by <see cref="Redacted"/>, and the ticket; null when there is none. Two tickets are one invalid ticket
    /// (the empty string), never a choice between them.
    /// </summary>
    public static string Redact(string query, out string? ticket)
    {
        ticket = null;
        if (!query.Contains(ParameterName + "=", StringComparison.OrdinalIgnoreCase))
        {
            return query;
        }

        var parts = query.TrimStart('?').Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var separator = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (separator < 0 || !string.Equals(parts[i][..separator], ParameterName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            ticket = ticket is null ? Unescape(parts[i][(separator + 1)..]) : string.Empty;
            parts[i] = ParameterName + "=" + Redacted;
        }

        return ticket is null ? query : "?" + string.Join('&', parts);
    }

    private static string Unescape(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return string.Empty;
        }
    }
}
