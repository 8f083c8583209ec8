using CrmAdmin.Tests.E2E;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("CrmAdmin.Tests.LongCollectionsFirst", "CrmAdmin.Tests")]

namespace CrmAdmin.Tests;

/// <summary>
/// Starts the browser collection (<see cref="BrowserCollection"/>) first, then the test classes marked
/// <see cref="LongRunningAttribute"/>, then the rest in xunit's own order. xunit runs as many collections at once as the
/// machine has cores, each collection's tests one after another, and its own order is random from run to run. The browser
/// collection is the longest by far (10–12 minutes on the 2-core CI machine): started when it happened to come up, two thirds
/// of the way through, it ran alone for 8 minutes at the end and the run took 20. A long class left to the end does the same
/// on a smaller scale: the PostgreSQL search tests (2–3 minutes) and the crash test (a minute) ran last while the other core
/// idled for 50 s (18:57 and 20:26 UTC, 2026-12-01). Longest first, the short ones fill in at the end. (Collections that
/// disable parallelization, such as ReliabilityTests' timing, run alone after all of these whatever the order.)
/// </summary>
public sealed class LongCollectionsFirst : ITestCollectionOrderer
{
    private const string ClassCollectionPrefix = "Test collection for ";

    private readonly DefaultTestCollectionOrderer xunitOrder = new();

    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        xunitOrder.OrderTestCollections(testCollections).OrderBy(c => c.DisplayName == BrowserCollection.Name ? 0 : IsLongRunning(c) ? 1 : 2);

    /// <summary>Whether the class behind a class's own collection (xunit's default, one per class) is marked long-running.</summary>
    private static bool IsLongRunning(ITestCollection collection) =>
        collection.DisplayName.StartsWith(ClassCollectionPrefix, StringComparison.Ordinal)
        && typeof(LongCollectionsFirst).Assembly.GetType(collection.DisplayName[ClassCollectionPrefix.Length..]) is { } type
        && type.IsDefined(typeof(LongRunningAttribute), inherit: true);
}

/// <summary>
/// A test class that takes a minute or more of the run (or close to it): <see cref="LongCollectionsFirst"/> starts it early,
/// so it does not run alone at the end. Inherited by each provider's nested class.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class LongRunningAttribute : Attribute;
