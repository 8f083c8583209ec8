using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmAdmin.Data.Configurations;

internal sealed class CrmRoleConfiguration : IEntityTypeConfiguration<CrmRole>
{
    public void Configure(EntityTypeBuilder<CrmRole> role) =>
        role.Property(r => r.Exceptions).HasConversion<string>().HasMaxLength(16);
}
