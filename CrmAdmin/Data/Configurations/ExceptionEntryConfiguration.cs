using CrmAdmin.Domain.Exceptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmAdmin.Data.Configurations;

internal sealed class ExceptionEntryConfiguration : IEntityTypeConfiguration<ExceptionEntry>
{
    /// <summary>
    /// The comment folded to lower case, kept beside it so a case-insensitive substring filter (X5)
    /// works the same for every alphabet and provider (SQLite's LIKE folds ASCII only).
    /// </summary>
    public const string CommentFolded = nameof(CommentFolded);

    public void Configure(EntityTypeBuilder<ExceptionEntry> entry)
    {
        entry.ToTable("ExceptionEntries");
        entry.HasKey(e => e.Id);
        entry.Property(e => e.Type).HasConversion<string>().HasMaxLength(16);
        entry.Property(e => e.Value).HasMaxLength(320).IsRequired();
        entry.Property(e => e.Comment).HasMaxLength(ExceptionEntry.MaxCommentLength);
        entry.Property<string>(CommentFolded).HasMaxLength(ExceptionEntry.MaxCommentLength);
        entry.Property(e => e.Source).HasConversion<string>().HasMaxLength(16);
        entry.Property(e => e.CreatedBy).HasMaxLength(256).IsRequired();
        entry.Ignore(e => e.Point);

        // X1: one entry per (Type, Value); the bulk import relies on it to tell AlreadyListed apart.
        // (PostgreSQL keys by the value alone: see KeyByValueAlone.)
        entry.HasIndex(e => new { e.Type, e.Value }).IsUnique();
        entry.HasIndex(e => e.Value);
        // Every sort ends with Id (stable pages), so each sort index does too: PostgreSQL can then walk it
        // for the first page instead of sorting every match (SQLite's indexes end with the rowid anyway).
        // "Added" sorts by Id itself (ExceptionListService), so the key is its index.
        // The type filter's first page and count read this index alone, newest first, never the table.
        entry.HasIndex(e => new { e.Type, e.Id });
        // The hit sorts read the entries ever hit from these and the rest by id (ExceptionListService), so
        // they hold only the entries ever hit: a new entry never is, and an import adds nothing to them.
        entry.HasIndex(e => new { e.HitCount, e.Id }).HasFilter($"\"{nameof(ExceptionEntry.HitCount)}\" > 0");
        entry.HasIndex(e => new { e.LastHitAt, e.Id }).HasFilter($"\"{nameof(ExceptionEntry.LastHitAt)}\" IS NOT NULL");
        // X10: the status filter and "remove expired" read the expiring entries only (both ask for
        // ExpiresAt IS NOT NULL), so the index holds only those: an import of entries that never expire,
        // the usual kind, then adds nothing to it (100 ms of a 100k-line import on PostgreSQL).
        entry.HasIndex(e => e.ExpiresAt).HasFilter($"\"{nameof(ExceptionEntry.ExpiresAt)}\" IS NOT NULL");
        // I10: undoing an import finds its entries by this index. No foreign key: the bulk writers
        // insert 100k rows a batch, and an import row is never deleted, so there is nothing to check.
        entry.HasIndex(e => e.ImportId);
    }

    /// <summary>
    /// PostgreSQL's X1 key: the value alone, unique, in place of the unique (Type, Value) index beside a
    /// plain Value index. Values of different types never coincide (a phone is "+" and digits, a prefix
    /// ends in "*", an address has a name before its "@", a domain starts with "@"), so it is the same
    /// key, and one wide b-tree fewer took 0.23 s off a 100k-line import into 1M (1.31 to 1.09 s for the
    /// INSERT in psql). SQLite keeps both: without per-value statistics its planner would answer a rare
    /// type sorted by value by walking the whole Value index (0.3 s at 1M), which (Type, Value) answers
    /// directly; PostgreSQL's statistics send such a query to the (Type, Id) index instead.
    /// </summary>
    public static void KeyByValueAlone(EntityTypeBuilder<ExceptionEntry> entry)
    {
        var typeAndValue = entry.Metadata.GetIndexes()
            .Single(i => i.Properties.Select(p => p.Name).SequenceEqual([nameof(ExceptionEntry.Type), nameof(ExceptionEntry.Value)]));
        entry.Metadata.RemoveIndex(typeAndValue);
        entry.HasIndex(e => e.Value).IsUnique();
    }
}

internal sealed class ExceptionImportConfiguration : IEntityTypeConfiguration<ExceptionImport>
{
    public void Configure(EntityTypeBuilder<ExceptionImport> import)
    {
        import.ToTable("ExceptionImports");
        import.HasKey(i => i.Id);
        import.Property(i => i.By).HasMaxLength(256).IsRequired();
        import.Property(i => i.UndoneBy).HasMaxLength(256);
        import.Property(i => i.Source).HasConversion<string>().HasMaxLength(16);
        // The history lists the newest first.
        import.HasIndex(i => i.At);
    }
}

internal sealed class ImportReportFileConfiguration : IEntityTypeConfiguration<ImportReportFile>
{
    public void Configure(EntityTypeBuilder<ImportReportFile> report)
    {
        report.ToTable("ImportReports");
        report.HasKey(r => r.Id);
        report.Property(r => r.Id).HasMaxLength(32);
        report.Property(r => r.Owner).HasMaxLength(256).IsRequired();
        report.Property(r => r.Content).IsRequired();
        // The purge drops the expired first, then the oldest past the cap.
        report.HasIndex(r => r.ExpiresAt);
    }
}
