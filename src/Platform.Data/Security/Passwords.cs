namespace Platform.Data.Security;

/// <summary>
/// Password hashing shared by the API (sign-up, login) and the Migrator (seed users), so a seeded
/// hash always verifies. bcrypt with a SHA-384 pre-hash: no 72-byte truncation of long passwords.
/// </summary>
public static class Passwords
{
    public const int MinimumLength = 12;
    private const int WorkFactor = 11;

    public static string Hash(string password) =>
        BCrypt.Net.BCrypt.EnhancedHashPassword(password, BCrypt.Net.HashType.SHA384, WorkFactor);

    public static bool Verify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.EnhancedVerify(password, hash, BCrypt.Net.HashType.SHA384);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
