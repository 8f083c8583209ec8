using System.Reflection;
using CrmAdmin.Features;

namespace CrmAdmin.Tests.Features;

public sealed class LabelsTests
{
    public static TheoryData<Type> LabelledEnums()
    {
        var data = new TheoryData<Type>();
        foreach (var method in typeof(Labels).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == nameof(Labels.Of)))
        {
            data.Add(method.GetParameters().Single().ParameterType);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LabelledEnums))]
    public void Every_value_has_words_for_people_and_no_two_share_them(Type enumType)
    {
        var of = typeof(Labels).GetMethod(nameof(Labels.Of), [enumType])!;
        var labels = Enum.GetValues(enumType).Cast<object>().Select(v => (Value: v.ToString()!, Label: (string)of.Invoke(null, [v])!)).ToList();

        Assert.All(labels, l => Assert.False(string.IsNullOrWhiteSpace(l.Label), $"{enumType.Name}.{l.Value} has no label"));
        // A multi-word identifier shown as is ("EmailDomain", "MovedToRecycleBin") is developer words on screen.
        Assert.All(labels, l => Assert.False(l.Value.Skip(1).Any(char.IsUpper) && l.Label == l.Value, $"{enumType.Name}.{l.Value} is shown as its identifier"));
        Assert.Equal(labels.Count, labels.Select(l => l.Label).Distinct().Count());
    }

    [Fact]
    public void The_developer_words_the_issue_found_read_as_words() =>
        Assert.Equal(["Email domain", "Lead/deal form", "Moved to the recycle bin"],
            [Labels.Of(CrmAdmin.Domain.Exceptions.EntryType.EmailDomain), Labels.Of(CrmAdmin.Domain.Exceptions.EntrySource.EntityForm), Labels.Of(CrmAdmin.Domain.Audit.AuditAction.MovedToRecycleBin)]);

    [Theory]
    [InlineData(0, "0 lines")]
    [InlineData(1, "1 line")]
    [InlineData(2, "2 lines")]
    [InlineData(100_000, "100,000 lines")]
    public void A_count_takes_the_right_number(long count, string expected) => Assert.Equal(expected, Labels.Count(count, "line"));

    [Fact]
    public void An_imports_counts_read_alike_everywhere_each_with_its_thousands_separated() =>
        Assert.Equal("100,000 lines: 99,990 added, 1,005 already listed, 3 duplicate in input, 2 invalid",
            Labels.ImportCounts(100_000, 99_990, 1_005, 3, 2));

    [Fact]
    public void An_irregular_plural_is_given() => Assert.Equal(["1 entry", "3 entries"], [Labels.Count(1, "entry", "entries"), Labels.Count(3, "entry", "entries")]);

    [Theory]
    [InlineData("user@xn--bcher-kva.example", "user@bücher.example")]
    [InlineData("@xn--bcher-kva.example", "@bücher.example")]
    [InlineData("user@example.com", "user@example.com")]
    [InlineData("+14155550100", "+14155550100")]
    [InlineData("user@xn--.example", "user@xn--.example")]
    public void An_international_domain_reads_in_Unicode(string stored, string shown) => Assert.Equal(shown, Labels.ForPeople(stored));

    [Theory]
    [InlineData("E2: user@xn--bcher-kva.example matches the subdomain tree @*.xn--bcher-kva.example (xn--bcher-kva.example and every subdomain of it).",
        "E2: user@bücher.example matches the subdomain tree @*.bücher.example (bücher.example and every subdomain of it).")]
    [InlineData("Blocked by exception @mail.xn--e1afmkfd.xn--p1ai: not saved in the CRM", "Blocked by exception @mail.пример.рф: not saved in the CRM")]
    [InlineData("Nothing in the CRM has USER@XN--BCHER-KVA.EXAMPLE.", "Nothing in the CRM has USER@bücher.example.")]
    [InlineData("The number +14155550100 is in international format.", "The number +14155550100 is in international format.")]
    [InlineData("Not punycode: user@xn--.example and abcxn--bcher-kva.example stay.", "Not punycode: user@xn--.example and abcxn--bcher-kva.example stay.")]
    public void Every_international_domain_in_a_sentence_reads_in_Unicode(string stored, string shown) => Assert.Equal(shown, Labels.ForPeopleText(stored));
}
