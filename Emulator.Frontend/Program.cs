using Emulator.Frontend;
using Microsoft.Win32.SafeHandles;

// Standard input as plain reads of file descriptor 0: .NET's own console stream edits and echoes
// lines itself when stdin is a terminal, which a raw-mode serial console must not have.
Stream stdin = OperatingSystem.IsWindows() ? Console.OpenStandardInput()
    : new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);
return EmuMain.Run(args, Console.Out, Console.Error, Console.OpenStandardOutput(), stdinBytes: stdin);
