using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Audit;
using CrmAdmin.Features.Exceptions;

namespace CrmAdmin.Tests.Features;

public abstract class AuditLogServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : AuditLogServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : AuditLogServiceTests(DatabaseProvider.Postgres);

    private readonly FixedClock clock = new();
    private ServiceTestHost host = default!;
    private AuditLogService audit = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(clock, provider);
        audit = host.Get<AuditLogService>();
        var importer = host.Get<ExceptionImportService>();
        await importer.ImportAsync("+1 415 555 0100;a\n+1 415 555 0101;b", EntrySource.Settings, host.Supervisor);
        clock.Now = clock.Now.AddDays(2);
        await importer.ImportAsync("spam@example.com", EntrySource.Api, host.Administrator);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Filters_by_user_action_value_and_date_combine_and_page_in_the_database()
    {
        var bySupervisor = await audit.QueryAsync(new AuditQuery(Actor: "SUPERVISOR", Action: AuditAction.ExceptionAdded), host.Administrator);
        var byValue = await audit.QueryAsync(new AuditQuery(Value: "spam@"), host.Administrator);
        var lastDay = await audit.QueryAsync(new AuditQuery(From: FixedClock.Default.UtcDateTime.AddDays(1)), host.Administrator);
        var page = await audit.QueryAsync(new AuditQuery(Skip: 1, Take: 2), host.Administrator);

        Assert.Equal(2, bySupervisor.Total);
        Assert.All(bySupervisor.Items, r => Assert.Equal(("supervisor@test.local", AuditAction.ExceptionAdded), (r.Actor, r.Action)));
        Assert.Equal(["spam@example.com"], byValue.Items.Select(r => r.Value));
        Assert.Equal(2, lastDay.Total);
        Assert.Equal(2, page.Items.Count);
        Assert.True(page.Total >= 5);
    }

    [Fact]
    public async Task Only_administrators_read_the_audit_log() =>
        await Assert.ThrowsAsync<AccessDeniedException>(() => audit.QueryAsync(new AuditQuery(), host.Supervisor));
}
