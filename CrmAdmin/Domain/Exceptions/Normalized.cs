namespace CrmAdmin.Domain.Exceptions;

/// <summary>The result of normalizing one raw value: a contact point, or the reason it was refused.</summary>
public readonly record struct Normalized(ContactPoint? Point, string? Error)
{
    public bool IsValid => Point is not null;

    public static Normalized Ok(EntryType type, string value) => new(new ContactPoint(type, value), null);

    public static Normalized Fail(string reason) => new(null, reason);
}
