using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;

namespace CrmAdmin.Tests.Domain;

/// <summary>
/// Subdomain trees (X8), number prefixes (X9) and expiry (X10) as decision tables: what the parser
/// accepts and refuses, which entry a number or address matches, and when an entry stops matching.
/// </summary>
public class EntryKindsTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("+1900*", "+1900*")]
    [InlineData("+1 900 *", "+1900*")]
    [InlineData("+1 (900) 555-*", "+1900555*")]
    [InlineData("001900*", "+1900*")]
    [InlineData("＋１９００＊", "+1900*")]
    [InlineData("+79*", "+79*")]
    [InlineData("+4420*", "+4420*")]
    [InlineData("+8001*", "+8001*")]
    [InlineData("+12345678901234*", "+12345678901234*")]
    public void X9_a_number_prefix_is_a_country_code_and_more_digits_then_a_star(string input, string stored)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Error);
        Assert.Equal(new ContactPoint(EntryType.PhonePrefix, stored), result.Point);
    }

    [Theory]
    [InlineData("+1*", "at least one digit after the country code +1")]
    [InlineData("+44*", "at least one digit after the country code +44")]
    [InlineData("+999*", "known country code")]
    [InlineData("+99*", "known country code")]
    [InlineData("+*", "no digits after the +")]
    [InlineData("1900*", "must start with + and a country code")]
    [InlineData("+19*00*", "one * at its end")]
    [InlineData("+1900**", "one * at its end")]
    [InlineData("+1 800 FLOW*", "letter 'F'")]
    [InlineData("+1234567890123456*", "at most 15 digits")]
    public void X9_prefixes_without_a_country_code_and_a_digit_are_refused_with_a_reason(string input, string reason) =>
        Assert.Contains(reason, ContactPointNormalizer.Normalize(input).Error);

    [Theory]
    [InlineData("@*.example.com", "@*.example.com")]
    [InlineData("@*.Mail.Example.COM.", "@*.mail.example.com")]
    [InlineData("  @*.example.co.uk ", "@*.example.co.uk")]
    [InlineData("@*.bücher.de", "@*.xn--bcher-kva.de")]
    [InlineData("＠*.example.com", "@*.example.com")]
    public void X8_a_subdomain_tree_is_at_star_dot_and_a_domain_in_its_canonical_form(string input, string stored)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Error);
        Assert.Equal(new ContactPoint(EntryType.EmailDomainTree, stored), result.Point);
    }

    [Theory]
    [InlineData("@*.", "needs a domain after @*.")]
    [InlineData("@*.com", "not a whole top-level domain")]
    [InlineData("@*example.com", "written @*. and a domain")]
    [InlineData("@*", "written @*. and a domain")]
    [InlineData("@*.*.example.com", "not a valid email domain")]
    [InlineData("@*..example.com", "empty part between dots")]
    [InlineData("ann@*.example.com", "not a valid email domain")]
    [InlineData("@*.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.com", "at most 16 parts")]
    public void X8_malformed_trees_are_refused_with_a_reason(string input, string reason) =>
        Assert.Contains(reason, ContactPointNormalizer.Normalize(input).Error);

    [Fact]
    public void X4_a_bare_domain_stays_a_domain_of_that_domain_alone() =>
        Assert.Equal(new ContactPoint(EntryType.EmailDomain, "@example.com"), ContactPointNormalizer.Normalize("@example.com").Point);

    private static ListedEntry Entry(long id, EntryType type, string value, DateTime? expiresAt = null) => new(id, type, value, null, expiresAt);

    private static readonly ListedEntry[] EmailList =
    [
        Entry(1, EntryType.Email, "ann@mail.example.com"),
        Entry(2, EntryType.EmailDomain, "@mail.example.com"),
        Entry(3, EntryType.EmailDomainTree, "@*.example.com"),
        Entry(4, EntryType.EmailDomainTree, "@*.mail.example.com"),
        Entry(5, EntryType.EmailDomain, "@example.org"),
        Entry(6, EntryType.EmailDomainTree, "@*.example.net"),
    ];

    [Theory]
    [InlineData("ann@mail.example.com", 1L)] // the address beats its domain and every tree
    [InlineData("bob@mail.example.com", 2L)] // the domain beats the trees over it
    [InlineData("bob@x.mail.example.com", 4L)] // the deepest tree wins
    [InlineData("bob@example.com", 3L)] // a tree matches its domain itself
    [InlineData("bob@x.y.example.com", 3L)]
    [InlineData("bob@example.org", 5L)]
    [InlineData("bob@sub.example.org", null)] // X4: a bare domain is not a tree
    [InlineData("bob@example.net", 6L)]
    [InlineData("bob@notexample.net", null)] // a tree is a whole label, not a suffix of text
    [InlineData("bob@example.net.evil.com", null)]
    public void X4_X8_address_beats_domain_beats_the_deepest_subdomain_tree(string address, long? expected) =>
        Assert.Equal(expected, ExceptionMatching.Match(EmailList, new ContactPoint(EntryType.Email, address), Now)?.Id);

    private static readonly ListedEntry[] PhoneList =
    [
        Entry(1, EntryType.Phone, "+19005550100"),
        Entry(2, EntryType.PhonePrefix, "+1900*"),
        Entry(3, EntryType.PhonePrefix, "+1900555*"),
        Entry(4, EntryType.PhonePrefix, "+19*"),
        Entry(5, EntryType.PhonePrefix, "+4420*"),
    ];

    [Theory]
    [InlineData("+19005550100", 1L)] // the exact phone beats every prefix
    [InlineData("+19005550101", 3L)] // the longest prefix wins
    [InlineData("+19001230000", 2L)]
    [InlineData("+19171230000", 4L)]
    [InlineData("+14155550100", null)]
    [InlineData("+442079460958", 5L)]
    [InlineData("+442179460958", null)]
    public void X9_exact_phone_beats_prefix_and_the_longer_prefix_beats_the_shorter(string number, long? expected) =>
        Assert.Equal(expected, ExceptionMatching.Match(PhoneList, new ContactPoint(EntryType.Phone, number), Now)?.Id);

    [Theory]
    [InlineData(-1L, 1L)] // a tick before expiry the exact entry still matches
    [InlineData(0L, 2L)] // at the expiry instant it no longer does: the prefix is reported
    [InlineData(1L, 2L)]
    public void X10_an_entry_stops_matching_at_its_expiry_instant(long ticksFromExpiry, long expected)
    {
        ListedEntry[] list = [Entry(1, EntryType.Phone, "+19005550100", Now), Entry(2, EntryType.PhonePrefix, "+1900*")];

        var match = ExceptionMatching.Match(list, new ContactPoint(EntryType.Phone, "+19005550100"), Now.AddTicks(ticksFromExpiry));

        Assert.Equal(expected, match?.Id);
    }

    [Fact]
    public void X10_when_every_matching_entry_has_expired_nothing_matches() =>
        Assert.Null(ExceptionMatching.Match([Entry(1, EntryType.EmailDomainTree, "@*.example.com", Now)],
            new ContactPoint(EntryType.Email, "a@example.com"), Now));

    [Fact]
    public void X9_the_lookup_candidates_are_every_prefix_by_length_and_fit_the_statement()
    {
        var candidates = ExceptionMatching.Candidates(new ContactPoint(EntryType.Phone, "+123456789012345"));

        Assert.Equal("+123456789012345*", candidates[0].Value);
        Assert.Equal("+12*", candidates[^1].Value);
        Assert.Equal(14, candidates.Count);
        Assert.All(candidates, c => Assert.Equal(EntryType.PhonePrefix, c.Type));
        Assert.True(candidates.Count <= ExceptionMatching.MaxCandidates);
    }

    [Fact]
    public void X8_the_lookup_candidates_of_a_deep_address_fit_the_statement()
    {
        var deep = "a@" + string.Join('.', Enumerable.Range(0, 30).Select(i => $"l{i}")) + ".com";

        var candidates = ExceptionMatching.Candidates(new ContactPoint(EntryType.Email, deep));

        Assert.Equal(ExceptionMatching.MaxCandidates, candidates.Count);
        Assert.Equal(new ContactPoint(EntryType.EmailDomain, deep[1..]), candidates[0]);
        Assert.Equal("@*.l30.com".Replace("l30", "l29"), candidates[^1].Value);
    }

    private static readonly LineSettings Line = LineSettings.Default;

    [Fact]
    public void C2_names_the_prefix_that_matched()
    {
        var number = new ContactPoint(EntryType.Phone, "+19005550101");
        var decision = RoutingEngine.DecideCall(new CallFacts(CallDirection.Incoming, "+19005550101", number, Line, RoutingSettings.Default,
            RelatedEntities.None, new MatchedException(3, EntryType.PhonePrefix, "+1900555*", "premium")));

        Assert.True(decision.Blocked);
        var c2 = Assert.Single(decision.Steps, s => s.Rule == "C2").Explanation;
        Assert.Contains("starts with +1900555", c2);
        Assert.Contains("the number prefix +1900555*", c2);
    }

    [Theory]
    [InlineData(EntryType.Email, "ann@mail.example.com", "the address entry ann@mail.example.com")]
    [InlineData(EntryType.EmailDomain, "@mail.example.com", "the domain entry @mail.example.com")]
    [InlineData(EntryType.EmailDomainTree, "@*.example.com", "the subdomain tree @*.example.com (example.com and every subdomain of it)")]
    public void E2_says_which_kind_of_entry_matched(EntryType type, string value, string named)
    {
        var address = new ContactPoint(EntryType.Email, "ann@mail.example.com");
        var decision = RoutingEngine.DecideEmail(new EmailFacts("ann@mail.example.com", address, RoutingSettings.Default, RelatedEntities.None,
            new MatchedException(1, type, value, null)));

        Assert.Contains(named, Assert.Single(decision.Steps, s => s.Rule == "E2").Explanation);
    }
}
