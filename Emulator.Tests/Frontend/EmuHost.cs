using System.Diagnostics;
using Emulator.Frontend;

namespace Emulator.Tests.Frontend;

/// <summary>
/// How tests start the emu under test as a process of its own: the dotnet host that runs the
/// tests (or <c>dotnet</c> from PATH when the tests run under another host) with emu.dll.
/// </summary>
internal static class EmuHost
{
    public static string Dotnet => Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    public static string Dll => typeof(EmuMain).Assembly.Location;

    /// <summary>The emu with <paramref name="args"/>, its output redirected.</summary>
    public static ProcessStartInfo StartInfo(params string[] args) =>
        new(Dotnet, [Dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
}
