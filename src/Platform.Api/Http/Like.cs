namespace Platform.Api.Http;

public static class Like
{
    /// <summary>Escapes LIKE wildcards so a search for "50%" means the text, not a pattern.</summary>
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
