using CrmAdmin.Data;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// One app for every test of a class (an xunit class fixture), for classes whose tests leave nothing another could trip on:
/// each is refused and changes nothing, or compares what it changes before and after. Started per test, an app cost about a
/// second each on the CI machine. <see cref="ArrangeAsync"/> runs once, with the administrator's client.
/// </summary>
public abstract class SharedApp(DatabaseProvider provider) : IAsyncLifetime
{
    /// <summary>The app on SQLite, arranged with nothing.</summary>
    public sealed class OnSqlite() : SharedApp(DatabaseProvider.Sqlite);

    public CrmAdminFactory Factory { get; } = new(provider: provider);

    /// <summary>The administrator's API client (a bearer token).</summary>
    public HttpClient Admin { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Admin = await Factory.CreateAdminClientAsync();
        await ArrangeAsync(Admin);
    }

    /// <summary>What the class's tests need in the app before the first one runs.</summary>
    protected virtual Task ArrangeAsync(HttpClient admin) => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Factory.DisposeAsync();
    }
}
