namespace CrmAdmin.Domain.Exceptions;

/// <summary>An entry that may match a routed number or address: what the lookup found, before expiry and precedence.</summary>
public sealed record ListedEntry(long Id, EntryType Type, string Value, string? Comment, DateTime? ExpiresAt);

/// <summary>
/// Which entry a number or address matches (X4, X8, X9, X10), as pure rules over the entries a
/// lookup found. Routing never scans the list: <see cref="Candidates"/> names the few values that
/// could match (the number's prefixes by length, the address's domain and its parent domains), and
/// the database looks them all up at once on the unique (Type, Value) index. <see cref="Best"/> then
/// drops the expired ones and keeps the most specific.
/// </summary>
public static class ExceptionMatching
{
    /// <summary>
    /// How many values <see cref="Candidates"/> gives at most: a number's prefixes of 2 to 15 digits
    /// (14), or an address's domain trees of 2 to <see cref="ContactPointNormalizer.MaxTreeLabels"/>
    /// labels (15). The lookup statement has this many slots.
    /// </summary>
    public const int MaxCandidates = 16;

    /// <summary>
    /// The values of the <paramref name="point"/>'s wider entries, most specific first: for a phone,
    /// every PhonePrefix that it starts with (<c>+1900555*</c>, …, <c>+19*</c>), each with a country code
    /// and one digit at least (X9); for an address, its domain entry (X4) and every EmailDomainTree
    /// over its domain (<c>@*.mail.example.com</c>, <c>@*.example.com</c>, X8). Empty for a domain
    /// or prefix itself.
    /// </summary>
    public static IReadOnlyList<ContactPoint> Candidates(ContactPoint point)
    {
        switch (point.Type)
        {
            case EntryType.Phone:
            {
                var digits = point.Value.Length - 1;
                var prefixes = new List<ContactPoint>(Math.Max(0, digits - 1));
                for (var length = Math.Min(digits, ContactPointNormalizer.MaxPhoneDigits); length >= 2; length--)
                {
                    prefixes.Add(new ContactPoint(EntryType.PhonePrefix, point.Value[..(length + 1)] + "*"));
                }

                return prefixes;
            }

            case EntryType.Email:
            {
                var domain = point.Value[(point.Value.LastIndexOf('@') + 1)..];
                var labels = domain.Split('.');
                var wider = new List<ContactPoint> { new(EntryType.EmailDomain, "@" + domain) };
                var longest = Math.Min(labels.Length, ContactPointNormalizer.MaxTreeLabels);
                for (var count = longest; count >= 2; count--)
                {
                    wider.Add(new ContactPoint(EntryType.EmailDomainTree, "@*." + string.Join('.', labels[^count..])));
                }

                return wider;
            }

            default:
                return [];
        }
    }

    /// <summary>
    /// The entry reported for a decision at <paramref name="now"/> (UTC), or null: expired entries
    /// never match (X10, from the expiry instant on); an exact Phone or Email entry comes first, then
    /// an address's domain (X4), then the deepest subdomain tree (X8); among prefixes the longest (X9).
    /// </summary>
    public static ListedEntry? Best(IEnumerable<ListedEntry> found, DateTime now) =>
        found.Where(e => ExceptionEntry.IsActiveAt(e.ExpiresAt, now))
            .OrderBy(e => Rank(e.Type))
            .ThenByDescending(e => e.Value.Length)
            .FirstOrDefault();

    /// <summary>The same rules over a whole list held in memory: the entry <paramref name="point"/> matches at <paramref name="now"/>.</summary>
    public static ListedEntry? Match(IEnumerable<ListedEntry> list, ContactPoint point, DateTime now)
    {
        var keys = Candidates(point).Append(point).ToHashSet();
        return Best(list.Where(e => keys.Contains(new ContactPoint(e.Type, e.Value))), now);
    }

    /// <summary>How a matched entry is named in a rule's sentence (C2, E2): which kind matched and why.</summary>
    public static string Describe(EntryType type, string value) => type switch
    {
        EntryType.PhonePrefix => $"the number prefix {value} (every number starting with {value.TrimEnd('*')})",
        EntryType.EmailDomainTree => $"the subdomain tree {value} ({value[3..]} and every subdomain of it)",
        EntryType.EmailDomain => $"the domain entry {value} (every address at {value[1..]})",
        EntryType.Email => $"the address entry {value}",
        _ => $"the phone entry {value}",
    };

    private static int Rank(EntryType type) => type switch
    {
        EntryType.Phone or EntryType.Email => 0,
        EntryType.EmailDomain => 1,
        _ => 2,
    };
}
