using System.Text.Json;

namespace Platform.Api.Http;

/// <summary>
/// Attribute validation reports C# member names (<c>NewPassword</c>); clients send camelCase JSON, so
/// errors are keyed and worded with the JSON names (<c>newPassword</c>) like every other error.
/// </summary>
internal static class ValidationNames
{
    public static void ToJsonNames(HttpValidationProblemDetails problem)
    {
        if (problem.Errors.Count == 0 || problem.Errors.Keys.All(k => k.Length == 0 || char.IsLower(k[0])))
        {
            return;
        }

        var renamed = problem.Errors.ToDictionary(
            e => JsonPath(e.Key),
            e => e.Value.Select(message => message.Replace($"field {Last(e.Key)} ", $"field {JsonPath(Last(e.Key))} ", StringComparison.Ordinal)).ToArray());
        problem.Errors.Clear();
        foreach (var (key, messages) in renamed)
        {
            problem.Errors[key] = messages;
        }

        problem.Title = Problems.InvalidFieldsTitle;
    }

    private static string JsonPath(string key) =>
        string.Join('.', key.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));

    private static string Last(string key) => key[(key.LastIndexOf('.') + 1)..];
}
