namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// What a person filters the list by (X5). Filters combine with AND. A value query matches phones
/// by digits only, so <c>415 555</c> and <c>(415) 555</c> both find <c>+14155550100</c>.
/// </summary>
public sealed record ExceptionFilter(string? Comment = null, string? Value = null, EntryType? Type = null)
{
    public static readonly ExceptionFilter None = new();

    public string? FoldedComment => string.IsNullOrWhiteSpace(Comment) ? null : Comment.Trim().ToLowerInvariant();

    public string? FoldedValue => string.IsNullOrWhiteSpace(Value) ? null : Value.Trim().ToLowerInvariant();

    /// <summary>The query's digits, or null when it has none (then no phone can match it).</summary>
    public string? ValueDigits
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Value))
            {
                return null;
            }

            var digits = new string(Value.Where(char.IsAsciiDigit).ToArray());
            return digits.Length == 0 ? null : digits;
        }
    }
}
