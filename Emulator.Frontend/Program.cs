using Emulator.Frontend;

return EmuMain.Run(args, Console.Out, Console.Error, Console.OpenStandardOutput(), stdinBytes: Console.OpenStandardInput());
