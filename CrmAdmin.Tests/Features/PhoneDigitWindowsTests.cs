using CrmAdmin.Data;
using CrmAdmin.Data.Postgres;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The digit windows behind X5's value filter on phones and number prefixes (<see cref="PhoneDigitWindows"/>): the runs of 4
/// and 6 digits a value is indexed under, the runs a query's digits are looked up by, and PostgreSQL's function that must
/// give the same windows as the C# the queries are built from.
/// </summary>
public sealed class PhoneDigitWindowsTests
{
    [Theory]
    [InlineData("+12000000004", "1200 2000 0000 0004 120000 200000 000000 000004")]
    [InlineData("+1900555*", "1900 9005 0055 0555 190055 900555")]
    [InlineData("+44207", "4420 4207")]
    [InlineData("+123", "")]
    [InlineData("+1234", "1234")]
    [InlineData("+12345", "1234 2345")]
    [InlineData("+123456", "1234 2345 3456 123456")]
    [InlineData("+11111111", "1111 111111")]
    public void X5_a_phone_is_indexed_under_each_run_of_four_and_of_six_of_its_digits_once(string value, string expected)
    {
        Assert.Equal(expected, string.Join(' ', PhoneDigitWindows.Of(value)));
    }

    [Theory]
    [InlineData("123", "")]
    [InlineData("0000", "0000")]
    [InlineData("20000", "2000 0000")]
    [InlineData("200000", "200000")]
    [InlineData("2000000", "200000 000000")]
    [InlineData("12000000004", "120000 200000 000000 000004")]
    public void X5_a_querys_digits_are_looked_up_by_the_runs_of_the_longest_window_they_hold(string digits, string expected)
    {
        Assert.Equal(expected, string.Join(' ', PhoneDigitWindows.ForText(digits)));
        Assert.Equal(digits.Length >= PhoneDigitWindows.ShortLength, PhoneDigitWindows.LooksUp(digits));
    }

    [Theory]
    [InlineData("12a4")]
    [InlineData("+1234")]
    [InlineData("١٢٣٤")]
    public void Only_ascii_digits_are_looked_up_by_windows(string text)
    {
        Assert.Throws<ArgumentException>(() => PhoneDigitWindows.ForText(text));
    }

    [Fact]
    public void Every_window_of_a_text_a_value_holds_is_among_the_values_windows()
    {
        // The lookup finds a superset of the matches only if this holds for every text and value: windows of every length and place.
        var value = "+49301234567890";
        var digits = value[1..];
        for (var start = 0; start < digits.Length; start++)
        {
            for (var length = PhoneDigitWindows.ShortLength; start + length <= digits.Length; length++)
            {
                Assert.Subset(PhoneDigitWindows.Of(value).ToHashSet(), PhoneDigitWindows.ForText(digits.Substring(start, length)).ToHashSet());
            }
        }
    }

    /// <summary>PostgreSQL's <c>crm_digit_windows</c> (migration PhoneDigitWindows), which its GIN index holds.</summary>
    public sealed class OnPostgres : IAsyncLifetime
    {
        private TestDatabase database = default!;

        public async Task InitializeAsync() => database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);

        public async Task DisposeAsync() => await database.DisposeAsync();

        [Theory]
        [InlineData("+12000000004")]
        [InlineData("+1900555*")]
        [InlineData("+123")]
        [InlineData("+11111111")]
        [InlineData("+491512345678901")]
        public async Task The_function_the_index_holds_gives_the_windows_the_queries_are_built_from(string value)
        {
            await using var db = database.CreateDbContext();
            var windows = await db.Database.SqlQueryRaw<string>(
                $$"""SELECT unnest({{PostgresExceptionSearch.DigitWindowsFunction}}({0})) AS "Value" """, value).ToListAsync();

            Assert.Equal(PhoneDigitWindows.Of(value).Order(), windows.Distinct().Order());
        }
    }
}
