namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// A normalized phone, email or email domain. Two spellings of one number or address compare
/// equal once normalized, which is what makes (Type, Value) unique (X1) and duplicates in one
/// paste detectable (I2).
/// </summary>
public readonly record struct ContactPoint(EntryType Type, string Value)
{
    /// <summary>
    /// The value as a person writes it: an email's or domain's punycode labels in Unicode
    /// (<c>kontakt@bücher.example</c> for the stored <c>kontakt@xn--bcher-kva.example</c>); a phone as stored.
    /// Text composed for people (a lead's title, an activity's summary) uses this; matching uses <see cref="Value"/>.
    /// </summary>
    public string AsWritten => Type is EntryType.Phone or EntryType.PhonePrefix ? Value : InternationalDomains.ToUnicode(Value);

    public override string ToString() => Value;
}
