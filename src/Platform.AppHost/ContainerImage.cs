namespace Platform.AppHost;

internal sealed record ContainerImage(string? Registry, string Image, string Tag)
{
    public string FullName => Registry is null ? $"{Image}:{Tag}" : $"{Registry}/{Image}:{Tag}";

    /// <summary>Parses <c>[registry/]image[:tag]</c>; a first segment with a dot or colon is a registry.</summary>
    public static ContainerImage Parse(string value)
    {
        var tagAt = value.LastIndexOf(':');
        var slashAt = value.LastIndexOf('/');
        var (name, tag) = tagAt > slashAt ? (value[..tagAt], value[(tagAt + 1)..]) : (value, "latest");
        var firstSlash = name.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash > 0 && name[..firstSlash].IndexOfAny(['.', ':']) >= 0)
        {
            return new ContainerImage(name[..firstSlash], name[(firstSlash + 1)..], tag);
        }

        return new ContainerImage(null, name, tag);
    }
}
