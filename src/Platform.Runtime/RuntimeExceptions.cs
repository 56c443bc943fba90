namespace Platform.Runtime;

/// <summary>The runtime did not answer (connection refused, TLS refused, timeout, no runtime configured).</summary>
public sealed class RuntimeUnavailableException : Exception
{
    public RuntimeUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public RuntimeUnavailableException()
    {
    }

    public RuntimeUnavailableException(string message)
        : base(message)
    {
    }
}

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

public enum RuntimeErrorKind
{
    Other,

    /// <summary>The workload (or network) does not exist.</summary>
    NotFound,

    /// <summary>The workload is in a state that does not allow this (e.g. unpausing a running container).</summary>
    Conflict,

    /// <summary>The request was refused as invalid (e.g. the image does not exist, bad limits).</summary>
    Invalid,
}
