using Fenix.Bench.Cli;

return await BenchCommands.Build().Parse(args).InvokeAsync();
