using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Domain.Crm;

/// <summary>An entity that went to the Recycle bin with it (S2).</summary>
public sealed record RecycledMember(CrmEntityType EntityType, long EntityId, string Title);

/// <summary>An exception entry that "Add to exceptions" added, so a restore can offer to remove it (S3).</summary>
public sealed record AddedEntry(long EntryId, EntryType Type, string Value);

/// <summary>
/// A lead or deal moved to the Recycle bin by "Add to exceptions" (S2), with the contact and company
/// that went with it and the entries it added, so restoring brings the whole group back (S3).
/// </summary>
public sealed class RecycleBinItem
{
    private RecycleBinItem()
    {
        Title = "";
        DeletedBy = "";
    }

    public RecycleBinItem(CrmEntityType entityType, long entityId, string title, DateTime deletedAt, string deletedBy,
        IEnumerable<RecycledMember> with, IEnumerable<AddedEntry> entries)
    {
        EntityType = entityType;
        EntityId = entityId;
        Title = title;
        DeletedAt = deletedAt;
        DeletedBy = deletedBy;
        With = with.ToList();
        Entries = entries.ToList();
    }

    public long Id { get; private set; }
    public CrmEntityType EntityType { get; private set; }
    public long EntityId { get; private set; }
    public string Title { get; private set; }
    public DateTime DeletedAt { get; private set; }
    public string DeletedBy { get; private set; }
    public List<RecycledMember> With { get; private set; } = [];
    public List<AddedEntry> Entries { get; private set; } = [];
}
