namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The digit windows of phones and number prefixes (X5's value filter on a query's digits): every run of
/// <see cref="ShortLength"/> and of <see cref="LongLength"/> neighbouring digits of a value. Each provider keeps an index of
/// them beside its trigram index, as trigrams narrow nothing among numbers that share most of their digits: every phone of
/// a CRM in one country holds its country code's and its area codes' trigrams, and the benchmark's million entries, all
/// <c>+12000…</c>, hold "120", "200" and "000" each, so "2000000" (500 matches) read every phone's candidates: 150–250 ms on
/// PostgreSQL and 200–575 ms on SQLite. A query's windows of the longest length it holds (<see cref="ForText"/>) are rarer:
/// "200000" and "000000" are in about one phone of fifty there.
/// </summary>
/// <remarks>
/// Windows are a superset: a value holding every window of a text need not hold the text, so a lookup still tests each
/// row for the text itself. The same windows are computed in SQL by each provider's index (PostgreSQL's function
/// <c>crm_digit_windows</c>, SQLite's indexer and triggers); tests hold the three to this one.
/// </remarks>
public static class PhoneDigitWindows
{
    /// <summary>The short windows' length in digits: a query of four or five digits is looked up by them.</summary>
    public const int ShortLength = 4;

    /// <summary>The long windows' length in digits: a query of six digits or more is looked up by them.</summary>
    public const int LongLength = 6;

    /// <summary>
    /// The windows a phone's or number prefix's value is indexed under: its ASCII digits (a '+' and a prefix's '*' are no
    /// digits, and E.164 has nothing between them), every run of <see cref="ShortLength"/> and of <see cref="LongLength"/>
    /// of them, each once, shortest first and in the order they occur. None for a value of fewer than four digits.
    /// </summary>
    public static IReadOnlyList<string> Of(string value)
    {
        var digits = new string(value.Where(char.IsAsciiDigit).ToArray());
        return [.. Runs(digits, ShortLength).Concat(Runs(digits, LongLength)).Distinct()];
    }

    /// <summary>
    /// The windows a query's digits (<see cref="Domain.Exceptions.ExceptionFilter.ValueDigits"/>, ASCII digits only) are looked
    /// up by: every run of the longest window length it holds, each once, in the order they occur; empty for a text of fewer than
    /// <see cref="ShortLength"/> digits, which its trigram is. A value holding the text holds every one of them.
    /// </summary>
    /// <exception cref="ArgumentException">When <paramref name="digits"/> holds anything but ASCII digits.</exception>
    public static IReadOnlyList<string> ForText(string digits)
    {
        if (!digits.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("Only ASCII digits are looked up by windows.", nameof(digits));
        }

        return [.. Runs(digits, digits.Length >= LongLength ? LongLength : ShortLength).Distinct()];
    }

    /// <summary>Whether a query's digits are looked up by windows: at least <see cref="ShortLength"/> of them.</summary>
    public static bool LooksUp(string digits) => digits.Length >= ShortLength;

    private static IEnumerable<string> Runs(string digits, int length) =>
        Enumerable.Range(0, Math.Max(0, digits.Length - length + 1)).Select(i => digits.Substring(i, length));
}
