using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>Every change to the CRM, its users and permissions, and every backup leaves an audit row: who, when, what.</summary>
public abstract class AuditCoverageTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : AuditCoverageTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : AuditCoverageTests(DatabaseProvider.Postgres);

    private const string Viewer = "viewer@test.local";
    private readonly CrmAdminFactory factory = new(provider: provider);
    private HttpClient admin = default!;

    public async Task InitializeAsync()
    {
        admin = await factory.CreateAdminClientAsync();
        await factory.CreateUserAsync(Viewer, "Viewer");
        (await admin.PostAsync("/api/telephony/lines", JsonContent.Create(new { number = "+1 212 555 0000", name = "Main line" }))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        admin.Dispose();
        await factory.DisposeAsync();
    }

    private async Task<long> CreateAsync(string path, object body)
    {
        var response = await admin.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private async Task<List<AuditEntry>> RowsAsync()
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
    }

    [Fact]
    public async Task Creating_and_changing_entities_applied_routing_backups_users_and_permissions_are_audited()
    {
        var me = await factory.PrincipalOfAsync(CrmAdminFactory.AdminEmail);
        var entities = factory.Services.GetRequiredService<CrmEntityService>();
        var access = factory.Services.GetRequiredService<AccessService>();
        var started = DateTime.UtcNow.AddSeconds(-1);

        var company = await CreateAsync("/api/companies", new { name = "Audited Inc", phones = new[] { "+1 415 555 0101" } });
        var contact = await CreateAsync("/api/contacts", new { name = "Audited Person", emails = new[] { "person@audited.example" }, companyId = company });
        var lead = await CreateAsync("/api/leads", new { title = "Audited lead", contactId = contact });
        var deal = await CreateAsync("/api/deals", new { title = "Audited deal", contactId = contact });
        await entities.UpdateAsync(CrmEntityType.Contact, contact, new EntityInput("Renamed Person", null, ["person@audited.example"], null, company), me);
        await entities.SetLeadStatusAsync(lead, LeadStatus.Junk, me);
        await entities.SetDealStageAsync(deal, DealStage.Won, me);
        (await admin.PostAsJsonAsync("/api/routing/call", new { lineId = 1, direction = "Incoming", number = "+1 415 555 0199", dryRun = false })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/routing/call", new { lineId = 1, direction = "Incoming", number = "+1 415 555 0198", dryRun = true })).EnsureSuccessStatusCode();
        // SQLite hands out a copy; PostgreSQL answers how to use pg_dump, which leaves nothing to audit.
        var backup = await admin.GetAsync("/api/admin/backup");
        Assert.Equal(provider == DatabaseProvider.Sqlite ? HttpStatusCode.OK : HttpStatusCode.NotImplemented, backup.StatusCode);
        (await admin.PutAsJsonAsync("/api/permissions", new[] { new { role = "Viewer", exceptions = "Edit" } })).EnsureSuccessStatusCode();
        var viewerId = (await access.GetUsersAsync(me)).Single(u => u.Email == Viewer).Id;
        await access.SetRoleAsync(me, viewerId, "Supervisor", EntrySource.Settings);
        await access.SetLockedAsync(me, viewerId, true, EntrySource.Settings);
        await access.ResetPasswordAsync(me, viewerId, "N3w-password!", EntrySource.Settings);
        await access.DeleteUserAsync(me, viewerId, EntrySource.Settings);

        var rows = await RowsAsync();
        Assert.All(rows, r => Assert.Equal(CrmAdminFactory.AdminEmail, r.Actor));
        Assert.All(rows, r => Assert.InRange(r.At, started, DateTime.UtcNow.AddSeconds(1)));
        string Details(AuditAction action) => string.Join(" | ", rows.Where(r => r.Action == action).Select(r => r.Details));
        Assert.Contains($"Company {company} \"Audited Inc\": +14155550101", Details(AuditAction.EntityCreated));
        Assert.Contains($"Contact {contact} \"Audited Person\": person@audited.example", Details(AuditAction.EntityCreated));
        Assert.Contains($"Lead {lead} \"Audited lead\"", Details(AuditAction.EntityCreated));
        Assert.Contains($"Deal {deal} \"Audited deal\"", Details(AuditAction.EntityCreated));
        Assert.All(rows.Where(r => r.Action == AuditAction.EntityCreated), r => Assert.Equal(EntrySource.Api, r.Source));
        Assert.Contains($"Contact {contact} \"Renamed Person\"", Details(AuditAction.EntityChanged));
        Assert.Contains($"Lead {lead} \"Audited lead\", Junk", Details(AuditAction.EntityChanged));
        Assert.Contains($"Deal {deal} \"Audited deal\", Won", Details(AuditAction.EntityChanged));
        var routed = Assert.Single(rows, r => r.Action == AuditAction.RoutingApplied);
        Assert.Equal("+14155550199", routed.Value);
        Assert.Contains("created Lead", routed.Details);
        Assert.Equal(provider == DatabaseProvider.Sqlite ? 1 : 0, rows.Count(r => r.Action == AuditAction.BackupDownloaded));
        Assert.Contains("Viewer: Exceptions View → Edit", Details(AuditAction.PermissionChanged));
        foreach (var action in new[] { AuditAction.UserRoleChanged, AuditAction.UserLocked, AuditAction.PasswordReset, AuditAction.UserDeleted })
        {
            Assert.StartsWith(Viewer, Details(action));
        }
    }

    [Fact]
    public void An_audit_row_keeps_at_most_its_columns_lengths()
    {
        var huge = new string('x', 5 * 1024 * 1024);

        var row = new AuditEntry(DateTime.UtcNow, huge, AuditAction.EntityCreated, EntrySource.Api, new ContactPoint(EntryType.Email, huge), huge);

        Assert.Equal(AuditEntry.MaxDetailsLength, row.Details!.Length);
        Assert.Equal(AuditEntry.MaxValueLength, row.Value!.Length);
        Assert.Equal(AuditEntry.MaxActorLength, row.Actor.Length);
        Assert.EndsWith("…", row.Details);
    }
}
