namespace Emulator.Devices.Input;

/// <summary>A small FIFO of bytes waiting to be sent over a PS/2 line, with save/restore.</summary>
public sealed class Ps2Queue
{
    readonly byte[] data;
    int head;

    public Ps2Queue(int capacity) => data = new byte[capacity];

    public int Capacity => data.Length;
    public int Count { get; private set; }
    public int Free => data.Length - Count;

    /// <summary>Appends a byte; returns false (and drops it) when full.</summary>
    public bool Enqueue(byte b)
    {
        if (Count == data.Length) return false;
        data[(head + Count) % data.Length] = b;
        Count++;
        return true;
    }

    public byte Dequeue()
    {
        byte b = data[head];
        head = (head + 1) % data.Length;
        Count--;
        return b;
    }

    /// <summary>The most recently queued byte (Count must be non-zero).</summary>
    public byte Last => data[(head + Count - 1) % data.Length];

    public void Clear()
    {
        head = 0;
        Count = 0;
    }

    public void Save(BinaryWriter w)
    {
        w.Write((byte)Count);
        for (int i = 0; i < Count; i++) w.Write(data[(head + i) % data.Length]);
    }

    public void Load(BinaryReader r)
    {
        Clear();
        int n = r.ReadByte();
        for (int i = 0; i < n; i++)
        {
            byte b = r.ReadByte();
            if (Count < data.Length) Enqueue(b);
        }
    }
}
