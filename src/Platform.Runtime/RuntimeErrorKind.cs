namespace Platform.Runtime;

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
