using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;

namespace Platform.Api.Channels;

/// <summary>
/// Encrypts the secret values of a channel config at rest (Data Protection, keys in PostgreSQL)
/// and masks them on the way out. A value is secret when its key names one (token, secret, password, ...).
/// </summary>
public sealed class ChannelSecrets(IDataProtectionProvider dataProtection)
{
    public const string Mask = "********";
    private const string EncryptedKey = "$encrypted";
    private const int MaxBytes = 8 * 1024;
    private static readonly string[] SecretWords = ["token", "secret", "password", "key", "webhook", "credential", "signing"];
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Platform.Channels.Config.v1");

    public static string? Validate(JsonElement? config) => config switch
    {
        null => null,
        { ValueKind: not JsonValueKind.Object } => "Must be a JSON object.",
        { } c when c.GetRawText().Length > MaxBytes => $"At most {MaxBytes} bytes.",
        { } c when c.EnumerateObject().Count() > 50 => "At most 50 properties.",
        // Only the API writes encrypted values: one sent in would be decrypted for the runtime as if it were this channel's.
        { } c when c.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty(EncryptedKey, out _))
            => $"The member {EncryptedKey} is reserved.",
        _ => null,
    };

    /// <summary>The config to store: secrets encrypted; a masked secret keeps the value in <paramref name="existing"/>.</summary>
    public JsonDocument Protect(JsonElement config, JsonDocument? existing = null)
    {
        var stored = new JsonObject();
        foreach (var property in config.EnumerateObject())
        {
            if (!IsSecret(property.Name) || property.Value.ValueKind != JsonValueKind.String)
            {
                stored[property.Name] = JsonNode.Parse(property.Value.GetRawText());
                continue;
            }

            var value = property.Value.GetString()!;
            if (value == Mask && existing?.RootElement.TryGetProperty(property.Name, out var kept) == true)
            {
                stored[property.Name] = JsonNode.Parse(kept.GetRawText());
                continue;
            }

            stored[property.Name] = new JsonObject { [EncryptedKey] = _protector.Protect(value) };
        }

        return JsonDocument.Parse(stored.ToJsonString());
    }

    /// <summary>The config as clients see it: every secret replaced by the mask.</summary>
    public static JsonElement Masked(JsonDocument stored)
    {
        var shown = new JsonObject();
        foreach (var property in stored.RootElement.EnumerateObject())
        {
            shown[property.Name] = IsSecret(property.Name) ? JsonValue.Create(Mask) : JsonNode.Parse(property.Value.GetRawText());
        }

        return JsonSerializer.SerializeToElement(shown);
    }

    /// <summary>
    /// The config with every encrypted secret decrypted, for the agent's own runtime (its runtime document only), and the
    /// names of the secrets it reveals.
    /// </summary>
    public (JsonElement Config, IReadOnlyList<string> SecretNames) Revealed(JsonDocument stored)
    {
        var shown = new JsonObject();
        var names = new List<string>();
        foreach (var property in stored.RootElement.EnumerateObject())
        {
            if (IsSecret(property.Name) && Reveal(stored, property.Name) is { } plain)
            {
                shown[property.Name] = JsonValue.Create(plain);
                names.Add(property.Name);
                continue;
            }

            shown[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return (JsonSerializer.SerializeToElement(shown), names);
    }

    /// <summary>The plain value of a secret, for the runtime that needs it (never for API responses).</summary>
    public string? Reveal(JsonDocument stored, string name) =>
        stored.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            && value.TryGetProperty(EncryptedKey, out var cipher) ? _protector.Unprotect(cipher.GetString()!) : null;

    public static bool IsSecret(string name) => SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));
}
