using System.Text.Json;

namespace Platform.Api.Skills;

internal static class SkillRules
{
    public const string SemVer = @"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$";

    public static string? ValidateJson(JsonElement? value) => value switch
    {
        null => null,
        { ValueKind: not JsonValueKind.Object } => "Must be a JSON object.",
        { } v when v.GetRawText().Length > 16 * 1024 => "At most 16 KB.",
        _ => null,
    };
}
