using System.Buffers.Text;

namespace Platform.Api.Http;

/// <summary>Cursors are opaque to clients: the last key of the page, base64url.</summary>
public static class KeysetCursor
{
    public static string Encode(Guid key)
    {
        Span<byte> bytes = stackalloc byte[16];
        key.TryWriteBytes(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    public static Guid? Decode(string cursor)
    {
        if (cursor.Length != 22 || !Base64Url.IsValid(cursor, out var length) || length != 16)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        Base64Url.DecodeFromChars(cursor, bytes);
        return new Guid(bytes);
    }
}
