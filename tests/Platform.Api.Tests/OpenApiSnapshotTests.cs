using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Api.Tests.Web;

namespace Platform.Api.Tests;

/// <summary>
/// The OpenAPI document is the contract clients are generated from, so any change to it must be deliberate: the running
/// API's document must equal the committed snapshot (clients/typescript/openapi.json), and the TypeScript client's
/// generated types must be what openapi-typescript makes of it. After an intended change, regenerate both with
/// <c>PLATFORM_UPDATE_OPENAPI_SNAPSHOT=1 dotnet test tests/Platform.Api.Tests -- --filter-class "*OpenApiSnapshotTests"</c>
/// and review the diff.
/// </summary>
public sealed class OpenApiSnapshotTests(ApiFixture fixture)
{
    private const string UpdateVariable = "PLATFORM_UPDATE_OPENAPI_SNAPSHOT";

    private const string Regenerate = $"If the change is intended, regenerate with {UpdateVariable}=1 " +
                                      "dotnet test tests/Platform.Api.Tests -- --filter-class \"*OpenApiSnapshotTests\" and review the diff.";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public async Task The_document_equals_the_committed_snapshot()
    {
        var document = await fixture.Api.Client().GetAsync("/openapi/v1.json", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var actual = Normalise(JsonNode.Parse(document.GetRawText())!);
        var snapshotPath = SnapshotPath();

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(snapshotPath, actual.ToJsonString(Indented) + "\n", Http.Ct);
            return;
        }

        Assert.True(File.Exists(snapshotPath), $"no OpenAPI snapshot at {snapshotPath}. {Regenerate}");
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(snapshotPath, Http.Ct))!;
        var difference = FirstDifference(expected, actual, "$");
        Assert.True(difference is null, $"/openapi/v1.json differs from {snapshotPath} at {difference}. {Regenerate}");
    }

    [Fact]
    public async Task The_TypeScript_client_types_are_generated_from_the_APIs_document()
    {
        WebTools.Require(WebTools.OpenApiTypeScript);
        var document = await fixture.Api.Client().GetAsync("/openapi/v1.json", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var work = Directory.CreateTempSubdirectory("platform-client-types-");
        try
        {
            var input = Path.Combine(work.FullName, "openapi.json");
            var output = Path.Combine(work.FullName, "schema.d.ts");
            await File.WriteAllTextAsync(input, Normalise(JsonNode.Parse(document.GetRawText())!).ToJsonString(Indented), Http.Ct);
            var (exitCode, log) = await WebTools.RunAsync(WebTools.ClientDirectory, WebTools.OpenApiTypeScript, input, "--output", output);
            Assert.True(exitCode == 0, $"openapi-typescript failed: {log}");

            var generated = await File.ReadAllTextAsync(output, Http.Ct);
            var committedPath = Path.Combine(WebTools.ClientDirectory, "src", "schema.d.ts");
            if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
            {
                await File.WriteAllTextAsync(committedPath, generated, Http.Ct);
                return;
            }

            var committed = File.Exists(committedPath) ? await File.ReadAllTextAsync(committedPath, Http.Ct) : "";
            var line = FirstDifferentLine(committed, generated);
            Assert.True(line is null, $"{committedPath} is not what openapi-typescript makes of /openapi/v1.json (first difference at line {line}). {Regenerate}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static int? FirstDifferentLine(string expected, string actual)
    {
        var e = expected.ReplaceLineEndings("\n").Split('\n');
        var a = actual.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            if (i >= e.Length || i >= a.Length || e[i] != a[i])
            {
                return i + 1;
            }
        }

        return null;
    }

    /// <summary>Drops what depends on the host the test API happens to listen on.</summary>
    private static JsonNode Normalise(JsonNode document)
    {
        document.AsObject().Remove("servers");
        return document;
    }

    /// <summary>The path of the first difference (object property order ignored), or null when equal.</summary>
    private static string? FirstDifference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (JsonObject e, JsonObject a):
                foreach (var (name, value) in e)
                {
                    if (!a.TryGetPropertyValue(name, out var other))
                    {
                        return $"{path}.{name} (missing from the API's document)";
                    }

                    if (FirstDifference(value, other, $"{path}.{name}") is { } inner)
                    {
                        return inner;
                    }
                }

                var added = a.Select(p => p.Key).FirstOrDefault(name => !e.ContainsKey(name));
                return added is null ? null : $"{path}.{added} (not in the snapshot)";
            case (JsonArray e, JsonArray a):
                for (var i = 0; i < Math.Min(e.Count, a.Count); i++)
                {
                    if (FirstDifference(e[i], a[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return e.Count == a.Count ? null : $"{path} (snapshot has {e.Count} items, the API's document {a.Count})";
            default:
                return JsonNode.DeepEquals(expected, actual)
                    ? null
                    : $"{path} (snapshot {expected?.ToJsonString() ?? "null"}, API {actual?.ToJsonString() ?? "null"})";
        }
    }

    private static string SnapshotPath([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "clients", "typescript", "openapi.json"));
}
