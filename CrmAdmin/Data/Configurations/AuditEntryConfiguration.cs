using CrmAdmin.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmAdmin.Data.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> audit)
    {
        audit.ToTable("AuditEntries");
        audit.HasKey(a => a.Id);
        audit.Property(a => a.Actor).HasMaxLength(256).IsRequired();
        audit.Property(a => a.Action).HasConversion<string>().HasMaxLength(32);
        audit.Property(a => a.Source).HasConversion<string>().HasMaxLength(16);
        audit.Property(a => a.EntryType).HasConversion<string>().HasMaxLength(16);
        audit.Property(a => a.Value).HasMaxLength(320);
        audit.Property(a => a.Details).HasMaxLength(1000);
        audit.HasIndex(a => a.At);
        // No index on Value: the log's value filter is a substring LIKE, which no b-tree serves, and
        // an import writes one audit row per added entry, so such an index only cost every import.
    }
}
