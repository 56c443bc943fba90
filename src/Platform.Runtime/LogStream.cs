namespace Platform.Runtime;

public enum LogStream
{
    Stdout,
    Stderr,
}
