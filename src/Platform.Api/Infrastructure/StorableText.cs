using System.Text;

namespace Platform.Api.Infrastructure;

/// <summary>
/// Text PostgreSQL can store. It refuses NUL in <c>text</c> and in <c>jsonb</c> strings, and UTF-16 text with an unpaired
/// surrogate has no UTF-8 form at all (Npgsql's encoder refuses it). Such text is the client's error, so it is refused as
/// a validation problem before any write, instead of failing inside the database as a 500.
/// </summary>
public static class StorableText
{
    public const string Message = "Text must not contain NUL (\\u0000) or unpaired UTF-16 surrogates.";

    public static bool IsStorable(ReadOnlySpan<char> text)
    {
        if (text.IndexOf('\0') >= 0)
        {
            return false;
        }

        var surrogate = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (surrogate < 0)
        {
            return true;
        }

        var rest = text[surrogate..];
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            rest = rest[consumed..];
        }

        return true;
    }
}
