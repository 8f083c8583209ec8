using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Routing;

namespace CrmAdmin.Benchmarks;

/// <summary>
/// Short runs with the percentiles the targets name, in process: BenchmarkDotNet's separate build would
/// restore a generated project against the package source, which lacks versions it asks for.
/// </summary>
public sealed class TargetConfig : ManualConfig
{
    public TargetConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(10).WithInvocationCount(8).WithUnrollFactor(1));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
    }
}

public sealed class SingleShotConfig : ManualConfig
{
    public SingleShotConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
        AddColumn(StatisticColumn.Median, StatisticColumn.Max);
    }
}

/// <summary>T3: the first page of 50 and the total, for each filter, over 1,000,000 entries.</summary>
[Config(typeof(TargetConfig))]
public class ExceptionListBenchmarks
{
    private BenchHost host = default!;
    private ExceptionListService list = default!;

    [Params("none", "comment", "value digits", "type")]
    public string Filter { get; set; } = "none";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        host = await BenchHost.CreateAsync(BenchDatabase.Copy(await BenchDatabase.EnsureAsync(BenchDatabase.DefaultPath), "t3.db"));
        list = host.Get<ExceptionListService>();
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => host.DisposeAsync();

    [Benchmark]
    public Task<ExceptionPage> FirstPageWithTotal() => list.ListAsync(new ExceptionListQuery(Filter switch
    {
        "comment" => new ExceptionFilter(Comment: "partner batch 12"),
        "value digits" => new ExceptionFilter(Value: "200 000 12"),
        "type" => new ExceptionFilter(Type: EntryType.Email),
        _ => ExceptionFilter.None,
    }), host.Admin);
}

/// <summary>T4: a dry-run call decision with 1,000,000 entries and 100,000 contacts, leads and deals.</summary>
[Config(typeof(TargetConfig))]
public class RoutingBenchmarks
{
    private BenchHost host = default!;
    private RoutingService routing = default!;
    private int next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        host = await BenchHost.CreateAsync(BenchDatabase.Copy(await BenchDatabase.EnsureAsync(BenchDatabase.DefaultPath), "t4.db"));
        routing = host.Get<RoutingService>();
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => host.DisposeAsync();

    [Benchmark]
    public Task<RoutingOutcome> KnownCustomer() =>
        routing.RouteCallAsync(new CallRequest(1, CallDirection.Incoming, BenchDatabase.ContactPhone(1 + next++ % BenchDatabase.Contacts)), host.Admin);

    [Benchmark]
    public Task<RoutingOutcome> ExceptedNumber() =>
        routing.RouteCallAsync(new CallRequest(1, CallDirection.Incoming, BenchDatabase.EntryPhone(2 * (next++ % 400_000))), host.Admin);

    [Benchmark]
    public Task<RoutingOutcome> UnknownNumber() =>
        routing.RouteCallAsync(new CallRequest(1, CallDirection.Incoming, $"+1 917 555 {next++ % 10_000:0000}"), host.Admin);
}

/// <summary>T1: 100,000 distinct valid lines into a list that already holds 1,000,000 entries.</summary>
[Config(typeof(SingleShotConfig))]
public class ImportBenchmarks
{
    private readonly string lines = BenchInput.Lines(100_000);
    private BenchHost host = default!;
    private ExceptionImportService importer = default!;

    [IterationSetup]
    public void Setup()
    {
        var copy = BenchDatabase.Copy(BenchDatabase.EnsureAsync(BenchDatabase.DefaultPath).GetAwaiter().GetResult(), "t1.db");
        host = BenchHost.CreateAsync(copy).GetAwaiter().GetResult();
        importer = host.Get<ExceptionImportService>();
    }

    [IterationCleanup]
    public void Cleanup() => host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public async Task<int> Import100kInto1M()
    {
        var report = await importer.ImportAsync(lines, EntrySource.Api, host.Admin);
        return report.Added == 100_000 ? report.Added : throw new InvalidOperationException($"only {report.Added} added");
    }
}

/// <summary>The part of T1 that never touches the database: reading and normalizing the 100,000 lines.</summary>
[Config(typeof(SingleShotConfig))]
public class ImportParseBenchmarks
{
    private readonly string lines = BenchInput.Lines(100_000);

    [Benchmark]
    public int Parse100k()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);
        var admitted = 0;
        foreach (var line in ImportLineParser.Parse(lines))
        {
            admitted += screen.Admit(line) ? 1 : 0;
        }

        return admitted == 100_000 ? admitted : throw new InvalidOperationException($"only {admitted} admitted");
    }
}
