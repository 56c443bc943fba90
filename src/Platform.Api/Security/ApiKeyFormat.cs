namespace Platform.Api.Security;

/// <summary>
/// API keys read <c>pk_{prefix}_{secret}</c>: the prefix (unique, shown in lists) finds the row,
/// the SHA-256 of the whole key proves it.
/// </summary>
public static class ApiKeyFormat
{
    public const int PrefixLength = 12;

    public static (string Prefix, string Key) Create()
    {
        var prefix = Secrets.NewCode(PrefixLength);
        return (prefix, $"pk_{prefix}_{Secrets.NewToken()}");
    }

    public static string? PrefixOf(string key)
    {
        if (key.Length < 3 + PrefixLength + 2 || !key.StartsWith("pk_", StringComparison.Ordinal) || key[3 + PrefixLength] != '_')
        {
            return null;
        }

        return key.Substring(3, PrefixLength);
    }
}
