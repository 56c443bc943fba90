using System.Buffers;
using System.Text;

namespace Platform.Api.Http;

/// <summary>
/// Text PostgreSQL can store. It refuses NUL in <c>text</c> and in <c>jsonb</c> strings, and UTF-16 text with an unpaired
/// surrogate has no UTF-8 form at all (Npgsql's encoder refuses it). Such text is the client's error, so it is refused as
/// a validation problem before any write, instead of failing inside the database as a 500.
/// </summary>
public static class StorableText
{
    public const string Message = "Text must not contain NUL (\\u0000) or unpaired UTF-16 surrogates.";

    public static bool IsStorable(ReadOnlySpan<char> text) => IndexOfUnstorable(text) < 0;

    /// <summary>Where the first NUL or unpaired surrogate is, or -1.</summary>
    public static int IndexOfUnstorable(ReadOnlySpan<char> text)
    {
        var nul = text.IndexOf('\0');
        var scanned = nul < 0 ? text : text[..nul];
        var at = scanned.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (at >= 0 && at < scanned.Length)
        {
            if (Rune.DecodeFromUtf16(scanned[at..], out _, out var consumed) != OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
            var next = scanned[at..].IndexOfAnyInRange('\uD800', '\uDFFF');
            at = next < 0 ? -1 : at + next;
        }

        return nul;
    }
}
