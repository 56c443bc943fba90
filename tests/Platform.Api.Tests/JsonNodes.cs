using System.Text.Json.Nodes;

namespace Platform.Api.Tests;

/// <summary>Walks a JSON template and builds spoiled copies of it, one change at a time.</summary>
public static class JsonNodes
{
    /// <summary>Properties that take any JSON object (kept as sent); their content is free-form, their name is the field.</summary>
    private static readonly HashSet<string> FreeForm = ["details", "capabilities", "permissions", "config"];

    /// <summary>Typed dictionaries: any key is allowed, so unknown keys are no error there.</summary>
    private static readonly HashSet<string> Dictionaries = ["preferences"];

    private static readonly HashSet<string> Enums =
        ["role", "modelTier", "thinkingMode", "approver", "type", "plan", "status", "category", "compatibleRoles", "scopes"];

    /// <summary>A node of the template: where it is (segments: names and indexes), its path as the serializer writes it.</summary>
    public sealed record Located(IReadOnlyList<object> Segments, string Path, JsonNode Node, string? FreeFormRoot, bool IsDictionary, bool IsEnum)
    {
        public bool IsFreeFormRoot => FreeFormRoot is not null && FreeFormRoot == Path;

        /// <summary>The field a refusal names: the path for typed members, the free-form field for anything inside one.</summary>
        public string Field => FreeFormRoot ?? Path;
    }

    public static IEnumerable<Located> Walk(JsonNode root) => Walk(root, [], "", null, isEnum: false);

    public static JsonNode With(JsonNode template, IReadOnlyList<object> segments, JsonNode? value)
    {
        var copy = template.DeepClone();
        if (segments.Count == 0)
        {
            return value!;
        }

        var parent = Navigate(copy, segments.Take(segments.Count - 1));
        switch (segments[^1])
        {
            case string name:
                parent.AsObject()[name] = value;
                break;
            case int index:
                parent.AsArray()[index] = value;
                break;
        }

        return copy;
    }

    public static JsonNode Adding(JsonNode template, IReadOnlyList<object> segments, string name, JsonNode? value)
    {
        var copy = template.DeepClone();
        Navigate(copy, segments).AsObject()[name] = value;
        return copy;
    }

    private static JsonNode Navigate(JsonNode node, IEnumerable<object> segments) =>
        segments.Aggregate(node, (current, segment) => segment is string name ? current[name]! : current[(int)segment]!);

    private static IEnumerable<Located> Walk(JsonNode node, IReadOnlyList<object> segments, string path, string? freeFormRoot, bool isEnum)
    {
        var name = segments.Count == 0 ? null : segments[^1] as string;
        var isDictionary = freeFormRoot is null && name is not null && Dictionaries.Contains(name);
        yield return new Located(segments, path, node, freeFormRoot, isDictionary, isEnum);
        var children = node switch
        {
            JsonObject obj => obj.Select(p => ((object)p.Key, p.Value, Append(path, p.Key))).ToList(),
            JsonArray array => array.Select((item, i) => ((object)i, item, $"{path}[{i}]")).ToList(),
            _ => [],
        };

        foreach (var (segment, child, childPath) in children)
        {
            var childName = segment as string ?? name;
            var root = freeFormRoot ?? (segment is string key && FreeForm.Contains(key) && !isDictionary ? childPath : null);
            var childIsEnum = freeFormRoot is null && childName is not null && Enums.Contains(childName) && !path.EndsWith("assistedUser", StringComparison.Ordinal);
            foreach (var located in Walk(child!, [.. segments, segment], childPath, root, childIsEnum))
            {
                yield return located;
            }
        }
    }

    private static string Append(string path, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? (path.Length == 0 ? name : path + "." + name) : $"{path}['{name}']";
}
