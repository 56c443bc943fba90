namespace Platform.Api.Http;

/// <summary>Cursors are opaque to clients: the last key of the page, base64url.</summary>
public static class KeysetCursor
{
    public static string Encode(Guid key) =>
        Convert.ToBase64String(key.ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Guid? Decode(string cursor)
    {
        if (cursor.Length != 22)
        {
            return null;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/') + "==";
        Span<byte> bytes = stackalloc byte[16];
        return Convert.TryFromBase64String(base64, bytes, out var written) && written == 16 ? new Guid(bytes) : null;
    }
}
