using System.Text;

namespace Platform.Api.Tests;

/// <summary>
/// Bad headers and broken HTTP, written on raw sockets because HttpClient refuses to send them. The ones Kestrel answers
/// itself, before any app code runs, are listed here one by one (<see cref="Expect.Kestrel"/>) and in docs/reliability.md.
/// </summary>
public static class MalformedProtocolCases
{
    public static IEnumerable<MalformedCase> All(MalformedWorld w)
    {
        const string agents = "/api/v1/agents";
        var broken = Encoding.UTF8.GetBytes("""{"name":""");
        byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

        // Credentials that are not valid text or not valid credentials: an ordinary 401 problem, never Kestrel's bare 400.
        (string What, (string, byte[])[] Headers)[] badCredentials =
        [
            ("X-Api-Key with a Latin-1 byte", [("X-Api-Key", Latin1("pk_caf\u00e9caf\u00e9caf_secret"))]),
            ("X-Api-Key with bytes that are not UTF-8", [("X-Api-Key", [.. Latin1("pk_"), 0xFF, 0xFE, 0xED, 0xA0, 0x80, .. Latin1("xxxxxxxxxx_secret")])]),
            ("X-Api-Key in UTF-8", [RawHttp.Header("X-Api-Key", "pk_caf\u00e9caf\u00e9caf_s\u00e9cret")]),
            ("X-Api-Key with a control character", [("X-Api-Key", Latin1("pk_abcdefghijkl_\u0001secret"))]),
            ("X-Api-Key twice", [RawHttp.Header("X-Api-Key", w.Key), RawHttp.Header("X-Api-Key", w.Key)]),
            ("X-Api-Key empty", [RawHttp.Header("X-Api-Key", "")]),
            ("X-Api-Key of 8 KB", [RawHttp.Header("X-Api-Key", "pk_" + new string('k', 8 * 1024))]),
            ("Bearer with bytes that are not UTF-8", [("Authorization", [.. Latin1("Bearer "), 0xFF, 0xFE, 0x80])]),
            ("Bearer with a Latin-1 byte", [("Authorization", Latin1("Bearer \u00e9t\u00e9"))]),
            ("Bearer token tampered", [RawHttp.Header("Authorization", "Bearer " + w.AdminToken[..^4] + "AAAA")]),
            ("Bearer garbage", [RawHttp.Header("Authorization", "Bearer not.a.jwt")]),
            ("Basic scheme", [RawHttp.Header("Authorization", "Basic YTpi")]),
            ("Authorization empty", [RawHttp.Header("Authorization", "")]),
            ("Authorization twice", [RawHttp.Header("Authorization", "Bearer a.b.c"), RawHttp.Header("Authorization", "Bearer d.e.f")]),
        ];
        foreach (var (what, headers) in badCredentials)
        {
            yield return Case("auth", $"GET {agents} {what}", RawHttp.Request("GET", agents, headers, null), Expect.Refused, status: 401);
            yield return Case("agents", $"POST {agents} {what}",
                RawHttp.Request("POST", agents, [.. headers, .. MalformedRequests.Json], Encoding.UTF8.GetBytes("""{"name":"Credentialless"}""")), Expect.Refused, status: 401);
        }

        // Headers a handler reads.
        var stream = "/api/v1/activities/stream";
        foreach (var (what, value) in new[] { ("bytes that are not UTF-8", new byte[] { 0xFF, 0xFE }), ("a control character", Latin1("1-2\u0001")), ("a huge number", Latin1(new string('9', 30) + "-1")), ("text", Latin1("yesterday")) })
        {
            yield return Case("activities", $"GET {stream} Last-Event-ID with {what}",
                RawHttp.Request("GET", stream, [.. MalformedRequests.As(w, "admin"), ("Last-Event-ID", value)], null), Expect.Refused, "Last-Event-ID", 400);
        }

        yield return Case("agents", "POST broken body with a User-Agent that is not UTF-8",
            RawHttp.Request("POST", agents, [.. MalformedRequests.As(w, "admin"), .. MalformedRequests.Json, ("User-Agent", [0xFF, 0xFE, 0x80])], broken), Expect.Refused, status: 400);
        yield return Case("agents", "GET with a User-Agent that is not UTF-8",
            RawHttp.Request("GET", agents, [.. MalformedRequests.As(w, "admin"), ("User-Agent", [0xC3, 0x28, 0xA0])], null), Expect.NoServerError);
        yield return Case("agents", "POST with a Content-Type charset that is not UTF-8 text",
            RawHttp.Request("POST", agents, [.. MalformedRequests.As(w, "admin"), ("Content-Type", [.. Latin1("application/json; charset="), 0xFF])], broken), Expect.Refused);
        yield return Case("agents", "POST with Content-Type twice",
            RawHttp.Request("POST", agents, [.. MalformedRequests.As(w, "admin"), .. MalformedRequests.Json, .. MalformedRequests.Json], broken), Expect.Refused);
        yield return Case("agents", "POST with an unknown method",
            RawHttp.Request("FROB", agents, MalformedRequests.As(w, "admin"), null), Expect.Refused, status: 405);

        // Bodies that break while the app reads them: Kestrel throws into the app, which answers a problem.
        IEnumerable<(string, byte[])> chunked = [.. MalformedRequests.As(w, "admin"), .. MalformedRequests.Json, RawHttp.Header("Transfer-Encoding", "chunked")];
        yield return Case("agents", "POST chunked with a bad chunk size", RawHttp.Request("POST", agents, chunked, Encoding.ASCII.GetBytes("ZZ\r\n{}\r\n0\r\n\r\n"), contentLength: false), Expect.Refused, status: 400);
        yield return Case("agents", "POST chunked with a truncated chunk", RawHttp.Request("POST", agents, chunked, Encoding.ASCII.GetBytes("40\r\n{\"name\":\r\n0\r\n\r\n"), contentLength: false), Expect.Refused);
        yield return Case("agents", "POST chunked and Content-Length, broken JSON",
            RawHttp.Request("POST", agents, [.. chunked, RawHttp.Header("Content-Length", "5")], Encoding.ASCII.GetBytes("5\r\n{\"a\":\r\n0\r\n\r\n"), contentLength: false), Expect.Refused, status: 400);
        yield return Case("agents", "POST chunked, body over 256 KB",
            RawHttp.Request("POST", agents, chunked, Encoding.ASCII.GetBytes($"{300 * 1024:x}\r\n{new string(' ', 300 * 1024)}\r\n0\r\n\r\n"), contentLength: false), Expect.Refused, status: 413);

        foreach (var kestrel in KestrelCases(w))
        {
            yield return kestrel;
        }
    }

    /// <summary>
    /// Refused by Kestrel while it parses the request line and headers, before the app runs: it answers with its own empty
    /// body and closes the connection. ASP.NET Core has no hook to shape these answers (docs/reliability.md).
    /// </summary>
    private static IEnumerable<MalformedCase> KestrelCases(MalformedWorld w)
    {
        var admin = MalformedRequests.As(w, "admin").ToArray();
        var json = MalformedRequests.Json.ToArray();
        byte[] Raw(string text) => Encoding.Latin1.GetBytes(text);

        yield return Case("agents", "%00 in the path", RawHttp.Request("GET", "/api/v1/agents/%00", admin, null), Expect.Kestrel, status: 400);
        yield return Case("agents", "%00 in a DELETE path", RawHttp.Request("DELETE", $"/api/v1/agents/{w.Agent}%00", admin, null), Expect.Kestrel, status: 400);
        yield return Case("health", "%00 in the path of a free-text id", RawHttp.Request("GET", "/api/v1/containers/a%00b/health", admin, null), Expect.Kestrel, status: 400);
        yield return Case("agents", "raw NUL in the request target", RawHttp.Request("GET", "/api/v1/agents/\0", admin, null), Expect.Kestrel, status: 400);
        yield return Case("agents", "space in the request target", RawHttp.Request("GET", "/api/v1/agents/a b", admin, null), Expect.Kestrel, status: 400);
        yield return Case("agents", "request line of garbage", Raw("GARBAGE\r\n\r\n"), Expect.Kestrel, status: 400);
        yield return Case("agents", "no Host header", Raw("GET /api/v1/agents HTTP/1.1\r\nConnection: close\r\n\r\n"), Expect.Kestrel, status: 400);
        yield return Case("agents", "Host that is not a host", Raw("GET /api/v1/agents HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n"), Expect.Kestrel, status: 400);
        yield return Case("agents", "absolute target for another host", Raw("GET http://elsewhere.test/api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
            Expect.Kestrel, status: 400);
        yield return Case("agents", "Content-Length twice",
            RawHttp.Request("POST", "/api/v1/agents", [.. admin, .. json, RawHttp.Header("Content-Length", "2"), RawHttp.Header("Content-Length", "2")], Raw("{}"), contentLength: false),
            Expect.Kestrel, status: 400);
        yield return Case("agents", "Content-Length not a number",
            RawHttp.Request("POST", "/api/v1/agents", [.. admin, .. json, RawHttp.Header("Content-Length", "abc")], Raw("{}"), contentLength: false), Expect.Kestrel, status: 400);
        yield return Case("agents", "Transfer-Encoding not ending in chunked",
            RawHttp.Request("POST", "/api/v1/agents", [.. admin, .. json, RawHttp.Header("Transfer-Encoding", "gzip")], Raw("{}"), contentLength: false), Expect.Kestrel, status: 400);
        yield return Case("auth", "NUL in X-Api-Key", RawHttp.Request("GET", "/api/v1/agents", [("X-Api-Key", Raw("pk_a\0b"))], null), Expect.Kestrel, status: 400);
        yield return Case("agents", "NUL in User-Agent", RawHttp.Request("GET", "/api/v1/agents", [.. admin, ("User-Agent", Raw("a\0b"))], null), Expect.Kestrel, status: 400);
        yield return Case("agents", "header line without a colon", Raw("GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHere\r\nConnection: close\r\n\r\n"),
            Expect.Kestrel, status: 400);
        yield return Case("agents", "header name with a space", Raw("GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nX Bad: 1\r\nConnection: close\r\n\r\n"), Expect.Kestrel, status: 400);
        yield return Case("agents", "folded header line", Raw("GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n"), Expect.Kestrel, status: 400);
        yield return Case("agents", "headers over 32 KB", RawHttp.Request("GET", "/api/v1/agents", [.. admin, RawHttp.Header("X-Big", new string('b', 40 * 1024))], null),
            Expect.Kestrel, status: 431);
        yield return Case("agents", "request target over 8 KB", RawHttp.Request("GET", "/api/v1/agents?q=" + new string('q', 10 * 1024), admin, null), Expect.Kestrel, status: 414);
    }

    private static MalformedCase Case(string group, string what, byte[] request, Expect expect, string? field = null, int? status = null) =>
        new(group, what, request, expect, field, status);
}
