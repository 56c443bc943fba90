namespace Platform.Data.Security;

/// <summary>
/// API keys read <c>pk_{prefix}_{secret}</c>: the prefix (unique, shown in lists) finds the row, the SHA-256 of the whole
/// key proves it. The one definition of the format: the API creates and checks keys with it, the worker mints runtime keys.
/// </summary>
public static class ApiKeyFormat
{
    public const int PrefixLength = 12;

    public static NewApiKey Create()
    {
        var prefix = Secrets.NewCode(PrefixLength);
        var key = $"pk_{prefix}_{Secrets.NewToken()}";
        return new NewApiKey(prefix, key, Secrets.Hash(key));
    }

    public static string? PrefixOf(string key)
    {
        if (key.Length < 3 + PrefixLength + 2 || !key.StartsWith("pk_", StringComparison.Ordinal) || key[3 + PrefixLength] != '_')
        {
            return null;
        }

        return key.Substring(3, PrefixLength);
    }

    public static bool Matches(string key, string keyHash) => Secrets.HashMatches(key, keyHash);
}

/// <summary>A key just created: <see cref="Key"/> is shown once, only <see cref="Prefix"/> and <see cref="KeyHash"/> are stored.</summary>
public sealed record NewApiKey(string Prefix, string Key, string KeyHash)
{
    // The key is a secret: keep it out of logs and exception messages.
    public override string ToString() => $"NewApiKey {{ Prefix = {Prefix} }}";
}
