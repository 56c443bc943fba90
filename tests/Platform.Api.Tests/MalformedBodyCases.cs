using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Api.Tests;

/// <summary>
/// Bad bodies for every endpoint that takes one, generated from one valid body each (<see cref="MalformedBodyEndpoints"/>):
/// every leaf gets text PostgreSQL cannot store (NUL, lone surrogates, bytes that are not UTF-8) and values of the wrong
/// type, size or enum; every object gets unknown members; free-form JSON fields get bad text at depth and in keys; and
/// each body is also sent as broken JSON, under the wrong media type and oversized.
/// </summary>
public static class MalformedBodyCases
{
    private const string Marker = "ZZ-RAW-MARKER-ZZ";

    /// <summary>As JSON text: a writer would replace an unpaired surrogate, so the escapes are written by hand.</summary>
    private static readonly (string Name, string Escaped)[] BadTexts =
    [
        ("NUL", "a\\u0000b"),
        ("lone high surrogate", "a\\ud800b"),
        ("lone low surrogate", "\\udc00"),
        ("high surrogate then NUL", "\\ud83d\\u0000"),
    ];

    private static readonly (string Name, string Json)[] BrokenJson =
    [
        ("truncated", """{"a":"""), ("open brace", "{"), ("trailing comma", """{"a":1,}"""), ("single quotes", "{'a':1}"),
        ("two documents", "{}{}"), ("control character", "{\"a\":\"x\u0001y\"}"), ("array", "[]"), ("null", "null"),
        ("string", "\"text\""), ("number", "42"), ("empty object", "{}"), ("deep nesting", "{\"a\":" + new string('[', 100) + new string(']', 100) + "}"),
    ];

    public static IEnumerable<MalformedCase> All(MalformedWorld world) =>
        MalformedBodyEndpoints.All(world).SelectMany(endpoint => Cases(world, endpoint));

    private static IEnumerable<MalformedCase> Cases(MalformedWorld world, BodyEndpoint endpoint)
    {
        var template = JsonNode.Parse(endpoint.TemplateJson)!;
        MalformedCase Case(string what, byte[] body, Expect expect, string? field = null, int? status = null,
            IEnumerable<(string, byte[])>? headers = null, bool json = true) =>
            new(endpoint.Group, $"{endpoint.Method} {endpoint.Path} {what}",
                MalformedRequests.Send(world, endpoint.Caller, endpoint.Method, endpoint.Path, body, headers, json), expect, field, status);

        var nodes = JsonNodes.Walk(template).ToList();
        foreach (var leaf in nodes.Where(n => n.Node is JsonValue))
        {
            var marked = Bytes(JsonNodes.With(template, leaf.Segments, JsonValue.Create(Marker)));
            foreach (var (name, escaped) in BadTexts)
            {
                yield return Case($"{leaf.Path} = {name}", ReplaceMarker(marked, Encoding.ASCII.GetBytes(escaped)), Expect.TextRefused, leaf.Field);
            }

            yield return Case($"{leaf.Path} = bytes that are not UTF-8", ReplaceMarker(marked, [(byte)'a', 0xED, 0xA0, 0x80, 0xFF, (byte)'b']), Expect.TextRefused, leaf.Field);
            if (leaf.FreeFormRoot is not null)
            {
                continue;
            }

            foreach (var wrong in WrongValues(leaf))
            {
                yield return Case($"{leaf.Path} = {wrong}", Bytes(JsonNodes.With(template, leaf.Segments, JsonNode.Parse(wrong))), Expect.Refused, leaf.Field);
            }
        }

        foreach (var container in nodes.Where(n => n.Node is JsonObject or JsonArray && n.Segments.Count > 0 && n.FreeFormRoot is null || n.IsFreeFormRoot))
        {
            foreach (var wrong in container.Node is JsonObject ? new[] { "\"x\"", "42", "[]" } : ["\"x\"", "42", "{}"])
            {
                yield return Case($"{container.Path} = {wrong}", Bytes(JsonNodes.With(template, container.Segments, JsonNode.Parse(wrong))), Expect.Refused, container.Path);
            }
        }

        foreach (var obj in nodes.Where(n => n.Node is JsonObject && n.FreeFormRoot is null && !n.IsDictionary))
        {
            var prefix = obj.Segments.Count == 0 ? "" : obj.Path + ".";
            yield return Case($"{prefix}zzUnknown added", Bytes(JsonNodes.Adding(template, obj.Segments, "zzUnknown", JsonValue.Create(1))), Expect.Refused, prefix + "zzUnknown");
            var unknownKey = Bytes(JsonNodes.Adding(template, obj.Segments, Marker, JsonValue.Create(1)));
            yield return Case($"{prefix}<NUL key> added", ReplaceMarker(unknownKey, "a\\u0000b"u8.ToArray()), Expect.Refused, status: 400);
            yield return Case($"{prefix}<lone surrogate key> added", ReplaceMarker(unknownKey, "\\ud800"u8.ToArray()), Expect.Refused, status: 400);
        }

        foreach (var extra in new[] { ("isAdmin", "true"), ("tenantId", $"\"{world.TenantId}\""), ("id", $"\"{Guid.NewGuid()}\""), ("createdAt", "\"2020-01-01T00:00:00Z\"") })
        {
            yield return Case($"{extra.Item1} added", Bytes(JsonNodes.Adding(template, [], extra.Item1, JsonNode.Parse(extra.Item2))), Expect.Refused, extra.Item1);
        }

        foreach (var map in nodes.Where(n => n.IsDictionary || n.IsFreeFormRoot))
        {
            var field = map.FreeFormRoot ?? map.Path;
            var keyed = Bytes(JsonNodes.Adding(template, map.Segments, Marker, JsonValue.Create("v")));
            var deep = JsonNode.Parse("""{"deep":{"deeper":[1,{"x":"MARKER"}]}}""".Replace("MARKER", Marker, StringComparison.Ordinal))!;
            var nested = Bytes(JsonNodes.With(template, map.Segments, deep));
            foreach (var (name, escaped) in BadTexts)
            {
                yield return Case($"{map.Path} key = {name}", ReplaceMarker(keyed, Encoding.ASCII.GetBytes(escaped)), Expect.TextRefused, field);
                if (map.IsFreeFormRoot)
                {
                    yield return Case($"{map.Path}.deep.deeper[1].x = {name}", ReplaceMarker(nested, Encoding.ASCII.GetBytes(escaped)), Expect.TextRefused, field);
                }
            }
        }

        foreach (var (name, json) in BrokenJson)
        {
            yield return Case($"body = {name}", Encoding.UTF8.GetBytes(json), Expect.Refused, status: 400);
        }

        var valid = Bytes(template);
        yield return Case("empty body", [], Expect.Refused, status: 400);
        yield return Case("BOM then bytes that are not UTF-8", [0xEF, 0xBB, 0xBF, 0xFF, 0xFE, (byte)'{', (byte)'}'], Expect.Refused, status: 400);
        yield return Case("valid body as text/plain", valid, Expect.Refused, status: 415, headers: [RawHttp.Header("Content-Type", "text/plain")], json: false);
        yield return Case("valid body without Content-Type", valid, Expect.Refused, status: 415, json: false);
        yield return Case("UTF-8 body declared UTF-16", valid, Expect.Refused,
            headers: [RawHttp.Header("Content-Type", "application/json; charset=utf-16")], json: false);
        var huge = JsonValue.Create(new string('x', 300 * 1024));
        var firstText = nodes.FirstOrDefault(n => n.Node is JsonValue v && v.GetValueKind() == JsonValueKind.String && n.FreeFormRoot is null);
        yield return Case($"{firstText?.Path ?? "padding"} of 300 KB",
            Bytes(firstText is null ? JsonNodes.Adding(template, [], "padding", huge) : JsonNodes.With(template, firstText.Segments, huge)), Expect.Refused, status: 413);
    }

    /// <summary>Values of the wrong type, size or enum for a typed leaf; none of them can bind or validate.</summary>
    private static IEnumerable<string> WrongValues(JsonNodes.Located leaf)
    {
        var name = leaf.Segments.LastOrDefault(s => s is string) as string ?? "";
        var kind = ((JsonValue)leaf.Node).GetValueKind();
        if (kind == JsonValueKind.Number)
        {
            return ["\"abc\"", "true", "[]", "1e400", "-1", "123456789012345678901234567890"];
        }

        if (kind is JsonValueKind.True or JsonValueKind.False)
        {
            return ["\"yes\"", "1", "[]"];
        }

        if (name is "periodStart")
        {
            return ["\"yesterday\"", "42", "\"2026-13-45T99:00:00Z\""];
        }

        if (name is "expiresAt")
        {
            return ["\"yesterday\"", "42", "\"2000-01-01T00:00:00Z\""];
        }

        if (name is "skillId")
        {
            return ["\"not-a-guid\"", "42", $"\"{Guid.NewGuid()}\""];
        }

        return leaf.IsEnum ? ["42", "true", "[]", "{}", "\"bogus\"", "\"\""] : ["42", "true", "[]", "{}"];
    }

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static byte[] ReplaceMarker(byte[] body, byte[] replacement)
    {
        var marker = Encoding.UTF8.GetBytes(Marker);
        var at = body.AsSpan().IndexOf(marker);
        return [.. body[..at], .. replacement, .. body[(at + marker.Length)..]];
    }
}
