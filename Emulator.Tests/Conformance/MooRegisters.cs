namespace Emulator.Tests.Conformance;

/// <summary>
/// A MOO <c>REGS</c> chunk: the subset of 16-bit registers it lists (an initial state
/// lists all of them; a final state only the ones that changed).
/// </summary>
public sealed class MooRegisters
{
    public const int Count = 14;

    readonly ushort[] values;

    public MooRegisters(ushort mask, ushort[] values)
    {
        if (values.Length != Count) throw new ArgumentException($"expected {Count} register slots", nameof(values));
        Mask = mask;
        this.values = values;
    }

    /// <summary>Bit i set = <see cref="MooRegister"/> i is present.</summary>
    public ushort Mask { get; }

    public bool Has(MooRegister r) => (Mask >> (int)r & 1) != 0;

    /// <summary>The register's value; throws if the chunk does not list it.</summary>
    public ushort this[MooRegister r] =>
        Has(r) ? values[(int)r] : throw new KeyNotFoundException($"register {r} not present");

    public bool TryGet(MooRegister r, out ushort value)
    {
        value = values[(int)r];
        return Has(r);
    }

    /// <summary>This chunk's value when listed, otherwise <paramref name="fallback"/>'s.</summary>
    public ushort GetOr(MooRegister r, MooRegisters fallback) => Has(r) ? values[(int)r] : fallback[r];

    public static readonly MooRegisters Empty = new(0, new ushort[Count]);

    public override string ToString() =>
        string.Join(' ', Enumerable.Range(0, Count).Where(i => (Mask >> i & 1) != 0)
            .Select(i => $"{(MooRegister)i}={values[i]:X4}"));
}
