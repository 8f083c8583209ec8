using BenchmarkDotNet.Running;
using CrmAdmin.Benchmarks;

// dotnet run -c Release --project CrmAdmin.Benchmarks -- generate | http [latency|floor|t1|load|prefixes|t2] | postgres [floor|t1|filter|load] | <BenchmarkDotNet arguments, e.g. --filter *>
var database = Environment.GetEnvironmentVariable("CRMADMIN_BENCH_DB") ?? BenchDatabase.DefaultPath;
switch (args.FirstOrDefault())
{
    case "generate":
        await BenchDatabase.EnsureAsync(database);
        break;
    case "postgres":
        // The PostgreSQL run (CRMADMIN_BENCH_POSTGRES): postgres [floor|t1|filter|load]
        await HttpMeasurements.RunPostgresAsync(args.ElementAtOrDefault(1));
        break;
    case "http":
        await BenchDatabase.EnsureAsync(database);
        await HttpMeasurements.RunAsync(database, args.ElementAtOrDefault(1));
        break;
    default:
        await BenchDatabase.EnsureAsync(database);
        BenchmarkSwitcher.FromAssembly(typeof(BenchDatabase).Assembly).Run(args);
        break;
}
