using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CrmAdmin.Data;

public sealed class CrmDbContext(DbContextOptions<CrmDbContext> options) : IdentityDbContext<CrmUser, CrmRole, string>(options), IDataProtectionKeyContext
{
    /// <summary>The keys that protect sign-in cookies and antiforgery tokens, shared by every app instance on this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<ExceptionEntry> ExceptionEntries => Set<ExceptionEntry>();
    public DbSet<ExceptionImport> ExceptionImports => Set<ExceptionImport>();
    public DbSet<ImportReportFile> ImportReportFiles => Set<ImportReportFile>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Company> Companies => Set<Company>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Lead> Leads => Set<Lead>();
    public DbSet<Deal> Deals => Set<Deal>();
    public DbSet<EntityContactPoint> EntityContactPoints => Set<EntityContactPoint>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<TelephonyLine> TelephonyLines => Set<TelephonyLine>();
    public DbSet<CrmSettings> CrmSettings => Set<CrmSettings>();
    public DbSet<ReferenceDataVersion> ReferenceDataVersions => Set<ReferenceDataVersion>();
    public DbSet<RecycleBinItem> RecycleBin => Set<RecycleBinItem>();
    public DbSet<BlockedEvent> BlockedEvents => Set<BlockedEvent>();
    public DbSet<SpentRefreshToken> SpentRefreshTokens => Set<SpentRefreshToken>();

    /// <summary>Every time is stored as UTC; SQLite keeps no kind, so reading restores it.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        FoldComments();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        FoldComments();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Whatever path adds an entry, its folded comment (the filter's column, X5) follows the comment.</summary>
    private void FoldComments()
    {
        foreach (var entry in ChangeTracker.Entries<ExceptionEntry>().Where(e => e.State is EntityState.Added or EntityState.Modified))
        {
            entry.Property(Configurations.ExceptionEntryConfiguration.CommentFolded).CurrentValue = entry.Entity.Comment?.ToLowerInvariant();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CrmDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            Configurations.ExceptionEntryConfiguration.KeyByValueAlone(modelBuilder.Entity<Domain.Exceptions.ExceptionEntry>());
        }
    }
}
