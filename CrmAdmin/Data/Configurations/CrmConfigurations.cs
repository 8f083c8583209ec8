using CrmAdmin.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmAdmin.Data.Configurations;

internal sealed class CompanyConfiguration : IEntityTypeConfiguration<Company>
{
    public void Configure(EntityTypeBuilder<Company> company)
    {
        company.Property(c => c.Name).HasMaxLength(200).IsRequired();
        // Items in the Recycle bin are invisible to every query unless one asks for them (§5, S2).
        company.HasQueryFilter(c => c.DeletedAt == null);
    }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> contact)
    {
        contact.Property(c => c.Name).HasMaxLength(200).IsRequired();
        contact.HasQueryFilter(c => c.DeletedAt == null);
        contact.HasOne<Company>().WithMany().HasForeignKey(c => c.CompanyId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class LeadConfiguration : IEntityTypeConfiguration<Lead>
{
    public void Configure(EntityTypeBuilder<Lead> lead)
    {
        lead.Property(l => l.Title).HasMaxLength(200).IsRequired();
        lead.Property(l => l.Status).HasConversion<string>().HasMaxLength(16);
        lead.Ignore(l => l.IsOpen);
        lead.HasQueryFilter(l => l.DeletedAt == null);
        lead.HasOne<Contact>().WithMany().HasForeignKey(l => l.ContactId).OnDelete(DeleteBehavior.SetNull);
        lead.HasOne<Company>().WithMany().HasForeignKey(l => l.CompanyId).OnDelete(DeleteBehavior.SetNull);
        // Lead.DealId, the deal a conversion created (§5), is a plain column, not a foreign key: adding a key to an existing
        // SQLite table rebuilds it outside the migration's transaction. A deal that is gone simply shows no link (its details are null).
    }
}

internal sealed class DealConfiguration : IEntityTypeConfiguration<Deal>
{
    public void Configure(EntityTypeBuilder<Deal> deal)
    {
        deal.Property(d => d.Title).HasMaxLength(200).IsRequired();
        deal.Property(d => d.Stage).HasConversion<string>().HasMaxLength(16);
        deal.Ignore(d => d.IsOpen);
        deal.HasQueryFilter(d => d.DeletedAt == null);
        // Routing finds a deal through its contact or company (§5).
        deal.HasOne<Contact>().WithMany().HasForeignKey(d => d.ContactId).OnDelete(DeleteBehavior.SetNull);
        deal.HasOne<Company>().WithMany().HasForeignKey(d => d.CompanyId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class EntityContactPointConfiguration : IEntityTypeConfiguration<EntityContactPoint>
{
    public void Configure(EntityTypeBuilder<EntityContactPoint> point)
    {
        point.Property(p => p.OwnerType).HasConversion<string>().HasMaxLength(16);
        point.Property(p => p.Type).HasConversion<string>().HasMaxLength(16);
        point.Property(p => p.Value).HasMaxLength(320).IsRequired();
        // Every call looks up who has a number: an index seek, not a scan.
        point.HasIndex(p => new { p.Type, p.Value });
        point.HasIndex(p => new { p.OwnerType, p.OwnerId });
    }
}

internal sealed class ActivityConfiguration : IEntityTypeConfiguration<Activity>
{
    public void Configure(EntityTypeBuilder<Activity> activity)
    {
        activity.Property(a => a.EntityType).HasConversion<string>().HasMaxLength(16);
        activity.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        activity.Property(a => a.Direction).HasConversion<string>().HasMaxLength(16);
        activity.Property(a => a.From).HasMaxLength(320);
        activity.Property(a => a.Summary).HasMaxLength(500);
        activity.Property(a => a.MessageId).HasMaxLength(500);
        activity.HasIndex(a => new { a.EntityType, a.EntityId });
        activity.HasIndex(a => a.MessageId);
    }
}

internal sealed class TelephonyLineConfiguration : IEntityTypeConfiguration<TelephonyLine>
{
    public void Configure(EntityTypeBuilder<TelephonyLine> line)
    {
        line.Property(l => l.Number).HasMaxLength(32).IsRequired();
        line.Property(l => l.Name).HasMaxLength(100).IsRequired();
    }
}

internal sealed class CrmSettingsConfiguration : IEntityTypeConfiguration<CrmSettings>
{
    public void Configure(EntityTypeBuilder<CrmSettings> settings)
    {
        settings.Property(s => s.Id).ValueGeneratedNever();
        settings.Property(s => s.Mode).HasConversion<string>().HasMaxLength(16);
        settings.HasData(new CrmSettings());
    }
}

internal sealed class ReferenceDataVersionConfiguration : IEntityTypeConfiguration<ReferenceDataVersion>
{
    public void Configure(EntityTypeBuilder<ReferenceDataVersion> version)
    {
        version.ToTable("ReferenceDataVersion");
        version.Property(v => v.Id).ValueGeneratedNever();
        version.HasData(new ReferenceDataVersion());
    }
}

internal sealed class RecycleBinItemConfiguration : IEntityTypeConfiguration<RecycleBinItem>
{
    public void Configure(EntityTypeBuilder<RecycleBinItem> item)
    {
        item.Property(i => i.EntityType).HasConversion<string>().HasMaxLength(16);
        item.Property(i => i.Title).HasMaxLength(200);
        item.Property(i => i.DeletedBy).HasMaxLength(256);
        item.HasIndex(i => i.DeletedAt);
        // The group and its entries are only ever read with their item: JSON columns, not tables.
        item.OwnsMany(i => i.With, member =>
        {
            member.ToJson();
            member.Property(m => m.EntityType).HasConversion<string>();
        });
        item.OwnsMany(i => i.Entries, entry =>
        {
            entry.ToJson();
            entry.Property(e => e.Type).HasConversion<string>();
        });
    }
}

internal sealed class SpentRefreshTokenConfiguration : IEntityTypeConfiguration<SpentRefreshToken>
{
    public void Configure(EntityTypeBuilder<SpentRefreshToken> token)
    {
        token.HasKey(t => t.Hash);
        token.Property(t => t.Hash).HasMaxLength(64);
        token.Property(t => t.UserId).HasMaxLength(450);
        // RefreshTokenLedger removes the expired ones through this index, without reading the rest.
        token.HasIndex(t => t.ExpiresAt);
    }
}
