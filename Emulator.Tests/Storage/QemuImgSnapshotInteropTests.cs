using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Frontend;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

/// <summary>
/// qcow2 internal snapshots against Debian's qemu-utils, both ways: emu lists and reverts what
/// <c>qemu-img snapshot -c</c> made, qemu-img lists, checks and applies what emu made, and
/// <c>emu img snapshot -l</c> / <c>emu img info</c> print what qemu-img prints. These tests fail
/// when qemu-utils is missing.
/// </summary>
public class QemuImgSnapshotInteropTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    static IInternalSnapshots Snap(IBlockImage image) => (IInternalSnapshots)image;

    byte[] QemuContents(string image)
    {
        string raw = dir.File(Path.GetFileName(image) + ".qemu.raw");
        QemuTools.Ok("qemu-img", "convert", "-O", "raw", image, raw);
        return File.ReadAllBytes(raw);
    }

    static (int Code, string Stdout, string Stderr) Img(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = EmuMain.Run(["img", .. args], o, e);
        return (code, o.ToString(), e.ToString());
    }

    static byte[] Filled(int length, byte value)
    {
        var b = new byte[length];
        b.AsSpan().Fill(value);
        return b;
    }

    [TestCase("1.1")]
    [TestCase("0.10")]
    public void A_snapshot_qemu_img_made_is_listed_and_reverted_by_emu(string compat)
    {
        string path = dir.File("q.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", "-o", $"compat={compat}", path, "4M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x55 0 64k", path);
        QemuTools.Ok("qemu-img", "snapshot", "-c", "before", path);
        QemuTools.Ok("qemu-io", "-c", "write -P 0xaa 0 64k", "-c", "write -P 0xbb 1m 64k", path);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var list = Snap(image).Snapshots;
            Assert.That(list, Has.Count.EqualTo(1));
            Assert.That(list[0].Id, Is.EqualTo("1"));
            Assert.That(list[0].Name, Is.EqualTo("before"));
            Assert.That(list[0].VmStateSize, Is.EqualTo(0UL));
            Assert.That(list[0].Date, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(5)));
            var back = new byte[64 << 10];
            image.Read(0, back);
            Assert.That(back, Is.EqualTo(Filled(64 << 10, 0xAA)));
            Snap(image).RevertToSnapshot("before");
            image.Read(0, back);
            Assert.That(back, Is.EqualTo(Filled(64 << 10, 0x55)));
            image.Read(1 << 20, back);
            Assert.That(back, Is.EqualTo(new byte[64 << 10]), "written after the snapshot: gone");
            // The snapshot survives writes after the revert.
            image.Write(0, Filled(4096, 0x11));
        }
        QemuTools.AssertCheckClean(path);
        var expected = new byte[4 << 20];
        expected.AsSpan(0, 64 << 10).Fill(0x55);
        expected.AsSpan(0, 4096).Fill(0x11);
        Assert.That(QemuContents(path), Is.EqualTo(expected));
        QemuTools.Ok("qemu-img", "snapshot", "-a", "before", path);
        QemuTools.Ok("qemu-io", "-c", "read -P 0x55 0 64k", path);
        QemuTools.AssertCheckClean(path);
    }

    [Test]
    public void A_snapshot_emu_made_is_listed_checked_applied_and_deleted_by_qemu_img()
    {
        string path = dir.File("e.qcow2");
        Qcow2Creator.Create(path, 4 << 20);
        var state = new byte[3 << 20];
        new Random(3).NextBytes(state);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            image.Write(0, Filled(64 << 10, 0x55));
            Snap(image).CreateSnapshot("emu-snap", state, 1_500_000_000);
            image.Write(0, Filled(64 << 10, 0xAA));
            image.Write(2 << 20, Filled(64 << 10, 0xCC));
        }
        QemuTools.AssertCheckClean(path);
        string list = QemuTools.Ok("qemu-img", "snapshot", "-l", path);
        Assert.That(list, Does.Match(@"\n1 +emu-snap +3 MiB \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 00:00:01\.500 *\n"));
        Assert.That(QemuTools.Ok("qemu-img", "info", "--output=json", path), Does.Contain("\"vm-state-size\": 3145728"));
        QemuTools.Ok("qemu-io", "-c", "read -P 0xaa 0 64k", path);

        QemuTools.Ok("qemu-img", "snapshot", "-a", "emu-snap", path);
        QemuTools.Ok("qemu-io", "-c", "read -P 0x55 0 64k", "-c", "read -P 0 2m 64k", path);
        QemuTools.AssertCheckClean(path);
        using (var image = ImageOpener.Open(path, null, readOnly: true))
            Assert.That(Snap(image).ReadVmState("emu-snap"), Is.EqualTo(state), "the state is intact after qemu-img applied the snapshot");

        QemuTools.Ok("qemu-img", "snapshot", "-d", "emu-snap", path);
        var check = QemuTools.Run("qemu-img", "check", path);
        Assert.That(check.ExitCode, Is.EqualTo(0), check.Stdout + check.Stderr);
        Assert.That(check.Stdout, Does.Not.Contain("leaked"));
        QemuTools.Ok("qemu-io", "-c", "read -P 0x55 0 64k", path);
    }

    [Test]
    public void Emu_reads_the_vm_state_qemu_savevm_stored_and_reverts_past_it()
    {
        // QEMU's savevm writes the VM state through the active L1 into the VM state area, then
        // discards it there: emu must find it through the snapshot's L1 at the same place.
        string path = dir.File("v.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", path, "64M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x55 0 64k", path);
        var info = new System.Diagnostics.ProcessStartInfo("qemu-system-i386")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "-machine", "pc", "-m", "16", "-nodefaults", "-display", "none", "-S", "-monitor", "stdio",
                     "-drive", $"file={path},format=qcow2,if=ide" }) info.ArgumentList.Add(a);
        System.Diagnostics.Process? qemu = null;
        try { qemu = System.Diagnostics.Process.Start(info); }
        catch (System.ComponentModel.Win32Exception) { Assert.Fail("qemu-system-i386 is missing: install Debian's qemu-system-x86 (.ci/run does)"); }
        using (qemu)
        {
            qemu!.StandardInput.WriteLine("savevm qemu-state");
            qemu.StandardInput.WriteLine("quit");
            var output = qemu.StandardOutput.ReadToEndAsync();
            string errors = qemu.StandardError.ReadToEnd();
            Assert.That(qemu.WaitForExit(60_000), Is.True, "qemu-system-i386 did not quit");
            Assert.That(qemu.ExitCode, Is.EqualTo(0), output.Result + errors);
        }
        QemuTools.Ok("qemu-io", "-c", "write -P 0xaa 0 64k", path);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var s = Snap(image).Snapshots.Single();
            Assert.That(s.Name, Is.EqualTo("qemu-state"));
            Assert.That(s.VmStateSize, Is.GreaterThan(64UL << 10), "devices and 16 MiB of (mostly zero) RAM");
            Assert.That(s.Icount, Is.Null, "QEMU without record/replay stores icount -1");
            byte[] state = Snap(image).ReadVmState("qemu-state");
            Assert.That(state.Length, Is.EqualTo((int)s.VmStateSize));
            // QEMU's migration stream header: QEMU_VM_FILE_MAGIC "QEVM", QEMU_VM_FILE_VERSION 3.
            Assert.That(System.Text.Encoding.ASCII.GetString(state, 0, 4), Is.EqualTo("QEVM"));
            Assert.That(state[4..8], Is.EqualTo(new byte[] { 0, 0, 0, 3 }));
            Snap(image).RevertToSnapshot("qemu-state");
            var back = new byte[64 << 10];
            image.Read(0, back);
            Assert.That(back, Is.EqualTo(Filled(64 << 10, 0x55)));
        }
        QemuTools.AssertCheckClean(path);
        Assert.That(QemuTools.Ok("qemu-img", "snapshot", "-l", path), Does.Contain("qemu-state"));
    }

    [TestCase(16)]
    [TestCase(9)]
    [TestCase(12)]
    public void After_random_snapshot_operations_qemu_img_reads_every_snapshot_as_emu_saw_it(int clusterBits)
    {
        string path = dir.File("r.qcow2");
        const int size = 2 << 20;
        Qcow2Creator.Create(path, size, clusterBits: clusterBits);
        var model = new byte[size];
        var saved = new Dictionary<string, byte[]>();
        var rng = new Random(clusterBits);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            for (int step = 0; step < 24; step++)
            {
                ImageModel.RandomWrites(image, model, 3, seed: step, maxLength: 60_000);
                int op = rng.Next(4);
                if (op <= 1 || saved.Count == 0)
                {
                    string name = $"s{rng.Next(5)}";
                    var state = new byte[rng.Next(0, 20_000)];
                    rng.NextBytes(state);
                    Snap(image).CreateSnapshot(name, state, (ulong)step);
                    saved[name] = (byte[])model.Clone();
                }
                else if (op == 2)
                {
                    string name = saved.Keys.ElementAt(rng.Next(saved.Count));
                    Snap(image).RevertToSnapshot(name);
                    model = (byte[])saved[name].Clone();
                }
                else
                {
                    string name = saved.Keys.ElementAt(rng.Next(saved.Count));
                    Snap(image).DeleteSnapshot(name);
                    saved.Remove(name);
                }
            }
            ImageModel.AssertContents(image, model);
        }
        QemuTools.AssertCheckClean(path);
        Assert.That(QemuContents(path), Is.EqualTo(model));
        foreach (var (name, contents) in saved)
        {
            string raw = dir.File(name + ".raw");
            QemuTools.Ok("qemu-img", "convert", "-l", $"snapshot.name={name}", "-O", "raw", path, raw);
            Assert.That(File.ReadAllBytes(raw), Is.EqualTo(contents), $"snapshot {name} as qemu-img reads it");
        }
    }

    [Test]
    public void Snapshots_over_compressed_clusters_keep_their_refcounts_right()
    {
        var model = new byte[2 << 20];
        for (int i = 0; i < model.Length; i += 16) System.Text.Encoding.ASCII.GetBytes($"{i,15:x}\n").CopyTo(model, i);
        string raw = dir.Write("text.raw", model);
        string path = dir.File("c.qcow2");
        QemuTools.Ok("qemu-img", "convert", "-c", "-O", "qcow2", raw, path);
        var saved = (byte[])model.Clone();
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            Snap(image).CreateSnapshot("c", [], 0);
            ImageModel.RandomWrites(image, model, 20, seed: 12, maxLength: 80_000);
            QemuTools.AssertCheckClean(path);
            Snap(image).RevertToSnapshot("c");
            ImageModel.AssertContents(image, saved);
        }
        QemuTools.AssertCheckClean(path);
        QemuTools.Ok("qemu-img", "snapshot", "-d", "c", path);
        QemuTools.AssertCheckClean(path);
        Assert.That(QemuContents(path), Is.EqualTo(saved));
    }

    [Test]
    public void One_bit_refcounts_refuse_a_snapshot_before_writing_anything()
    {
        string path = dir.File("a.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", "-o", "refcount_bits=1", path, "1M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x12 0 64k", path);
        byte[] before = File.ReadAllBytes(path);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var e = Assert.Throws<ImageException>(() => Snap(image).CreateSnapshot("s", Filled(100_000, 1), 0));
            Assert.That(e!.Message, Does.Contain("refcount overflow"));
        }
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        QemuTools.AssertCheckClean(path);
    }

    [Test]
    public void Emu_img_snapshot_speaks_qemu_img_syntax_and_lists_as_qemu_img_does()
    {
        string path = dir.File("a.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", path, "8M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x55 0 64k", path);
        QemuTools.Ok("qemu-img", "snapshot", "-c", "by qemu", path);
        var run = Img("snapshot", "-c", "by-emu", path);
        Assert.That(run.Code, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Is.Empty);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
            Snap(image).CreateSnapshot("with state", Filled(1_234_567, 3), 3_723_004_000_000);

        // qemu-img prints dates in local time; both run with the same TZ.
        string qemuList = QemuTools.Ok("qemu-img", "snapshot", "-l", path);
        run = Img("snapshot", "-l", path);
        Assert.That(run.Code, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo(qemuList));
        Assert.That(run.Stdout, Does.Contain("1.18 MiB"), "size_to_str's three significant digits");
        Assert.That(run.Stdout, Does.Contain("01:02:03.004"), "VM clock hours:minutes:seconds.ms");

        // info shows the same table between the cluster size and the format specific part.
        string qemuInfo = QemuTools.Ok("qemu-img", "info", path);
        string qemuSection = qemuInfo[qemuInfo.IndexOf("Snapshot list:", StringComparison.Ordinal)..qemuInfo.IndexOf("Format specific", StringComparison.Ordinal)];
        run = Img("info", path);
        Assert.That(run.Stdout, Does.Contain("cluster_size: 65536\n" + qemuSection + "Format specific information:"));

        QemuTools.Ok("qemu-io", "-c", "write -P 0x66 0 64k", path);
        run = Img("snapshot", "-a", "by qemu", path);
        Assert.That(run.Code, Is.EqualTo(0), run.Stderr);
        QemuTools.Ok("qemu-io", "-c", "read -P 0x55 0 64k", path);
        Assert.That(Img("snapshot", "-d", "2", path).Code, Is.EqualTo(0), "by ID");
        Assert.That(Img("snapshot", "-d", "with state", path).Code, Is.EqualTo(0));
        QemuTools.AssertCheckClean(path);
        Assert.That(QemuTools.Ok("qemu-img", "snapshot", "-l", path), Does.Contain("by qemu").And.Not.Contain("by-emu"));

        run = Img("snapshot", "-a", "nope", path);
        Assert.That(run.Code, Is.EqualTo(1));
        Assert.That(run.Stderr, Does.StartWith("emu img: Could not apply snapshot 'nope': ").And.Contain("not found"));
        Assert.That(run.Stderr.TrimEnd('\n'), Does.Not.Contain('\n'));
        run = Img("snapshot", "-l", "-c", "x", path);
        Assert.That(run.Code, Is.EqualTo(1));
        Assert.That(run.Stderr, Is.EqualTo("emu img: Cannot mix '-l', '-a', '-c', '-d'\n"));

        string rawPath = dir.Write("r.raw", new byte[1 << 20]);
        run = Img("snapshot", "-l", rawPath);
        Assert.That((run.Code, run.Stdout), Is.EqualTo((0, "")), "a raw image has no snapshots to list");
        run = Img("snapshot", "-c", "x", rawPath);
        Assert.That(run.Code, Is.EqualTo(1));
        Assert.That(run.Stderr, Does.StartWith("emu img: Could not create snapshot 'x': "));
    }
}
