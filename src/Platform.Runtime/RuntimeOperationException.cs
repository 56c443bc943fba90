namespace Platform.Runtime;

/// <summary>The runtime answered with an error: <see cref="Kind"/> says which, <see cref="Exception.Message"/> its own words.</summary>
public sealed class RuntimeOperationException : Exception
{
    public RuntimeOperationException(RuntimeErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    public RuntimeOperationException()
    {
    }

    public RuntimeOperationException(string message)
        : base(message)
    {
    }

    public RuntimeOperationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RuntimeErrorKind Kind { get; }
}
