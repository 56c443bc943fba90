using System.Text.Json;

namespace Platform.Api.Http;

/// <summary>
/// A string in a request body that PostgreSQL could not store (<see cref="StorableText"/>). The serializer fills in
/// <see cref="JsonException.Path"/>, so the problem names the field.
/// </summary>
public sealed class UnstorableTextException : JsonException
{
    public UnstorableTextException()
        : base(StorableText.Message)
    {
    }

    public UnstorableTextException(string message)
        : base(message)
    {
    }

    public UnstorableTextException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
