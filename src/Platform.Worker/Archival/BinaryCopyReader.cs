using System.Buffers.Binary;

namespace Platform.Worker.Archival;

/// <summary>
/// Reads PostgreSQL's binary COPY format from a raw COPY stream one tuple at a time, exposing its fields
/// as spans of a reused buffer: no value is decoded or allocated unless the caller asks for it.
/// </summary>
internal sealed class BinaryCopyReader(Stream source, int fieldCount)
{
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private static readonly DateTimeOffset PostgresEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly (int Offset, int Length)[] _fields = new (int, int)[fieldCount];
    private byte[] _buffer = new byte[128 * 1024];
    private int _start;
    private int _end;
    private int _tupleLength;
    private bool _headerRead;

    /// <summary>Loads the next tuple; false after the last one.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        _start += _tupleLength;
        _tupleLength = 0;
        if (!_headerRead)
        {
            await ReadHeaderAsync(cancellationToken);
        }

        await EnsureAsync(2, cancellationToken);
        var count = BinaryPrimitives.ReadInt16BigEndian(_buffer.AsSpan(_start));
        if (count == -1)
        {
            return false;
        }

        if (count != _fields.Length)
        {
            throw new InvalidDataException($"A COPY tuple has {count} fields, not {_fields.Length}.");
        }

        var offset = 2;
        for (var i = 0; i < count; i++)
        {
            await EnsureAsync(offset + 4, cancellationToken);
            var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + offset));
            offset += 4;
            _fields[i] = (offset, length);
            if (length > 0)
            {
                offset += length;
                await EnsureAsync(offset, cancellationToken);
            }
        }

        _tupleLength = offset;
        return true;
    }

    public bool IsNull(int index) => _fields[index].Length < 0;

    /// <summary>The field's bytes in the current tuple; throws on NULL.</summary>
    public ReadOnlySpan<byte> Field(int index)
    {
        var (offset, length) = _fields[index];
        if (length < 0)
        {
            throw new InvalidDataException($"COPY field {index} is NULL.");
        }

        return _buffer.AsSpan(_start + offset, length);
    }

    public Guid Uuid(int index) => new(Field(index), bigEndian: true);

    public DateTimeOffset TimestampTz(int index) =>
        PostgresEpoch.AddTicks(BinaryPrimitives.ReadInt64BigEndian(Field(index)) * TimeSpan.TicksPerMicrosecond);

    private async ValueTask ReadHeaderAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(Signature.Length + 8, cancellationToken);
        if (!_buffer.AsSpan(_start, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException("The COPY stream does not start with the binary format's signature.");
        }

        var extension = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + Signature.Length + 4));
        var header = Signature.Length + 8 + extension;
        await EnsureAsync(header, cancellationToken);
        _start += header;
        _headerRead = true;
    }

    /// <summary>Makes sure <paramref name="count"/> bytes from the tuple's start are in the buffer.</summary>
    private async ValueTask EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (count > _buffer.Length)
            {
                var grown = new byte[Math.Max(count, _buffer.Length * 2)];
                _buffer.AsSpan(_start, _end - _start).CopyTo(grown);
                (_buffer, _end, _start) = (grown, _end - _start, 0);
            }
            else if (_start + count > _buffer.Length)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                (_end, _start) = (_end - _start, 0);
            }

            var read = await source.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("The COPY stream ended inside a tuple.");
            }

            _end += read;
        }
    }
}
