namespace Platform.Runtime.Docker;

/// <summary>An <see cref="IProgress{T}"/> that keeps the last value synchronously (Progress&lt;T&gt; posts it later).</summary>
internal sealed class LastValue<T> : IProgress<T>
    where T : class
{
    private T? _value;

    public T? Value => Volatile.Read(ref _value);

    public void Report(T value) => Volatile.Write(ref _value, value);
}
