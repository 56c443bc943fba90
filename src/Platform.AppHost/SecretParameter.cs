namespace Platform.AppHost;

/// <summary>The default of a parameter the AppHost generates and persists: passwords and signing keys.</summary>
internal static class SecretParameter
{
    // Letters and digits only: the values travel through connection strings and shell environments.
    public static GenerateParameterDefault Generated(int length = 24) => new() { MinLength = length, Special = false };
}
