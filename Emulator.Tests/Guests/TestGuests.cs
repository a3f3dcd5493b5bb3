namespace Emulator.Tests.Guests;

/// <summary>
/// The Linux guests <c>tests/guests/build.sh</c> builds from Debian's packages (which
/// <c>.ci/run</c> runs first) into <c>$EMU_GUEST_DIR</c>, by default <c>~/.cache/emu-guests</c>.
/// A missing guest fails the test with the command that builds it; it is never skipped.
/// </summary>
static class TestGuests
{
    public static string Directory =>
        Environment.GetEnvironmentVariable("EMU_GUEST_DIR") is { Length: > 0 } dir ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "emu-guests");

    /// <summary>The path of a built guest file; fails the test when it has not been built.</summary>
    public static string File(string name)
    {
        string path = Path.Combine(Directory, name);
        if (!System.IO.File.Exists(path))
            Assert.Fail($"{path} is missing: build the test guests with tests/guests/build.sh (.ci/run does)");
        return path;
    }

    /// <summary>What the guest's /init prints (tests/guests/init).</summary>
    public const string Marker = "EMU-GUEST-MARKER: init running", PowerOff = "EMU-GUEST-POWEROFF";
}
