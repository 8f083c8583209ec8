using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// A committed change reaches this instance's caches at once, and the request that made it is answered only
/// once the other instances' signal is sent: a client that then asks another instance cannot overtake the
/// signal on its way (it was sent behind the answer, and another instance then answered from its old copy
/// for up to 38 ms).
/// </summary>
public sealed class DataChangesTests : IAsyncLifetime
{
    private readonly HeldBroadcast broadcast = new();
    private TestDatabase database = default!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task A_SaveChanges_that_commits_tells_this_instance_at_once_and_completes_only_once_the_others_are_told()
    {
        var changes = new DataChanges(broadcast);
        var heardHere = 0;
        using var subscription = changes.Subscribe([typeof(Company)], () => heardHere++);
        await using var db = Context(changes);
        db.Companies.Add(new Company("Acme", DateTime.UtcNow));

        var saving = db.SaveChangesAsync();
        await broadcast.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, heardHere);
        Assert.False(saving.IsCompleted);
        broadcast.Release();
        Assert.Equal(1, await saving);
        Assert.Equal([typeof(Company).FullName!], broadcast.Sent);
    }

    [Fact]
    public async Task A_transaction_tells_the_others_at_its_commit_and_never_when_it_rolls_back()
    {
        var changes = new DataChanges(broadcast);
        await using var db = Context(changes);
        await using (var rolledBack = await db.Database.BeginTransactionAsync())
        {
            db.Companies.Add(new Company("Never", DateTime.UtcNow));
            await db.SaveChangesAsync();
            await rolledBack.RollbackAsync();
        }

        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Companies.Add(new Company("Acme", DateTime.UtcNow));
        await db.SaveChangesAsync();
        Assert.False(broadcast.Asked.Task.IsCompleted);

        var committing = transaction.CommitAsync();
        await broadcast.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(committing.IsCompleted);
        broadcast.Release();
        await committing;
        Assert.Equal([typeof(Company).FullName!], broadcast.Sent);
    }

    private CrmDbContext Context(DataChanges changes)
    {
        var options = new DbContextOptionsBuilder<CrmDbContext>();
        options.UseCrmDatabase(DatabaseProvider.Sqlite, database.ConnectionString).AddInterceptors(new DataChangeInterceptor(changes));
        return new CrmDbContext(options.Options);
    }

    /// <summary>A broadcast whose send waits until the test releases it.</summary>
    private sealed class HeldBroadcast : IDataChangeBroadcast
    {
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Sent { get; } = [];

        public void Release() => released.TrySetResult();

        public async Task SendAsync(IReadOnlyCollection<string> changedTypeNames)
        {
            Sent.AddRange(changedTypeNames);
            Asked.TrySetResult();
            await released.Task;
        }
    }
}
