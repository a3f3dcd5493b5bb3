namespace Emulator.Tests.Conformance;

/// <summary>Checks the MOO reader on one real SingleStepTests file (NOP, 90.MOO.gz).</summary>
[TestFixture]
public sealed class MooFileTests
{
    [Test]
    public void ReadsNopFile()
    {
        var path = Path.Combine(SstPaths.TestDirectory(), "90.MOO.gz");
        if (!File.Exists(path)) Assert.Inconclusive($"SingleStepTests data not found: '{path}'");

        var file = MooFile.Load(path);
        var first = file.Tests[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.CpuName, Is.EqualTo("C286"));
            Assert.That(file.Tests, Has.Count.EqualTo(file.DeclaredCount));
            Assert.That(file.Tests, Has.Count.GreaterThan(0));
            Assert.That(first.Index, Is.Zero);
            Assert.That(first.Name, Is.Not.Empty);
            Assert.That(first.Bytes, Is.EqualTo(new byte[] { 0x90, 0xF4 }));
            Assert.That(first.Hash, Has.Length.EqualTo(40));
            // An initial state lists all 14 registers; the instruction bytes are in the initial RAM at CS:IP.
            Assert.That(first.Initial.Registers.Mask, Is.EqualTo(0x3FFF));
            uint codeAt = (uint)(first.Initial.Registers[MooRegister.CS] * 16 + first.Initial.Registers[MooRegister.IP]);
            Assert.That(first.Initial.Ram, Does.Contain(new MooRamByte(codeAt, 0x90)));
            // NOP + HLT: the final IP is past the HLT, and no RAM changes.
            Assert.That(first.Final.Registers[MooRegister.IP],
                Is.EqualTo((ushort)(first.Initial.Registers[MooRegister.IP] + 2)));
            Assert.That(first.Final.Ram, Is.Empty);
            Assert.That(first.Exception, Is.Null);
        }
    }

    [Test]
    public void ReadsExceptionChunk()
    {
        var path = Path.Combine(SstPaths.TestDirectory(), "CC.MOO.gz");
        if (!File.Exists(path)) Assert.Inconclusive($"SingleStepTests data not found: '{path}'");

        var test = MooFile.Load(path).Tests[0];
        Assert.That(test.Exception, Is.Not.Null);
        Assert.That(test.Exception!.Value.Number, Is.EqualTo(3));
        Assert.That(test.Final.Ram.Select(b => b.Address), Does.Contain(test.Exception.Value.FlagsAddress));
    }
}
