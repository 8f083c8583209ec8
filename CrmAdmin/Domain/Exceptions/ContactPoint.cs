namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// A normalized phone, email or email domain. Two spellings of one number or address compare
/// equal once normalized, which is what makes (Type, Value) unique (X1) and duplicates in one
/// paste detectable (I2).
/// </summary>
public readonly record struct ContactPoint(EntryType Type, string Value)
{
    public override string ToString() => Value;
}
