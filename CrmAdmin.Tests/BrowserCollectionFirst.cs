using CrmAdmin.Tests.E2E;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("CrmAdmin.Tests.BrowserCollectionFirst", "CrmAdmin.Tests")]

namespace CrmAdmin.Tests;

/// <summary>
/// Starts the browser collection (<see cref="BrowserCollection"/>) first, the rest in xunit's own order after it.
/// xunit runs as many collections at once as the machine has cores, each collection's tests one after another, and the
/// browser collection is the longest by far (about 10 minutes on the 2-core CI machine). xunit's order is random from run to
/// run: started when it happened to come up, two thirds of the way through, it ran alone for 8 minutes at the end and the
/// run took 20. Started first, the other collections run beside it.
/// </summary>
public sealed class BrowserCollectionFirst : ITestCollectionOrderer
{
    private readonly DefaultTestCollectionOrderer xunitOrder = new();

    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        xunitOrder.OrderTestCollections(testCollections).OrderBy(c => c.DisplayName == BrowserCollection.Name ? 0 : 1);
}
