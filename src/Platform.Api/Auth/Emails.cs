namespace Platform.Api.Auth;

internal static class Emails
{
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
