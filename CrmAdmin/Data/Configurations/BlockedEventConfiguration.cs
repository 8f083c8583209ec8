using CrmAdmin.Domain.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmAdmin.Data.Configurations;

internal sealed class BlockedEventConfiguration : IEntityTypeConfiguration<BlockedEvent>
{
    public void Configure(EntityTypeBuilder<BlockedEvent> blocked)
    {
        blocked.ToTable("BlockedEvents");
        blocked.HasKey(b => b.Id);
        blocked.Property(b => b.Channel).HasConversion<string>().HasMaxLength(16);
        blocked.Property(b => b.EntryType).HasConversion<string>().HasMaxLength(16);
        blocked.Property(b => b.Value).HasMaxLength(320).IsRequired();
        // The dashboard reads a range of days: per day and channel (the chart), and per entry (the top 10).
        // Both are index range scans with the columns they group by in the index.
        blocked.HasIndex(b => new { b.Day, b.Channel });
        blocked.HasIndex(b => new { b.Day, b.EntryId });
        // No foreign key to the entry: removing an entry keeps what it blocked, as the audit log does.
    }
}
