using CrmAdmin.Tests.E2E;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("CrmAdmin.Tests.BrowserCollectionFirst", "CrmAdmin.Tests")]

// Four collections at once on two cores, not two: the tests mostly wait (on an app's start, Blazor's round trips, Chromium,
// PostgreSQL), and with two at a time the cores sat idle more than half of a 22-minute run.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]

namespace CrmAdmin.Tests;

/// <summary>
/// Starts the two browser collections (<see cref="PageCatalogCollection"/>, the longer, then <see cref="BrowserCollection"/>)
/// first, the rest in xunit's own order after them. xunit runs as many collections at once as the machine has cores, each
/// collection's tests one after another, and the browser collections are the longest by far (10–16 minutes for the catalog
/// on the 2-core machine). xunit's order is random from run to run: started when it happened to come up, two thirds of the
/// way through, the browser collection ran alone for 8 minutes at the end and the run took 20. Started first, the other
/// collections run beside them.
/// </summary>
public sealed class BrowserCollectionFirst : ITestCollectionOrderer
{
    private readonly DefaultTestCollectionOrderer xunitOrder = new();

    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        xunitOrder.OrderTestCollections(testCollections).OrderBy(c => c.DisplayName switch
        {
            PageCatalogCollection.Name => 0,
            BrowserCollection.Name => 1,
            _ => 2,
        });
}
