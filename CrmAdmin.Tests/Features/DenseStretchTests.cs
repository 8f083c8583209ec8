using CrmAdmin.Data.Postgres;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Where PostgreSQL's search reads to show that more than the candidates' limit match a common text (X5: "more than
/// 10,000"): the shortest stretch of pages between two sampled pages with matches that the sample says holds twice the
/// cap (20,002 matches), reading at most 100,000 rows, its ends widened halfway to sampled pages without matches when
/// the run alone holds too few; none when no stretch is that dense.
/// </summary>
public sealed class DenseStretchTests
{
    // The sample as "page:rows:matches …", in the table's order; the stretch as "first-last", or "none".
    [Theory]
    [InlineData("no sample", "", "none")]
    [InlineData("no page matches", "1000:100:0 1300:100:0", "none")]
    [InlineData("one page matches: a stretch needs two", "1000:100:100 1300:100:0", "none")]
    [InlineData("two full pages 301 pages apart: 30,100 matches", "1000:100:100 1300:100:100", "1000-1300")]
    [InlineData("two full pages too far apart to read", "1000:100:100 2500:100:100", "none")]
    [InlineData("half the rows: 15,050 are too few", "1000:100:50 1300:100:50", "none")]
    [InlineData("half the rows, one page further: 25,050", "1000:100:50 1300:100:50 1500:100:50", "1000-1500")]
    [InlineData("a sampled page without matches counts against the stretch", "1000:100:100 1200:100:0 1250:100:100", "none")]
    [InlineData("the shortest of two", "1000:100:100 1300:100:100 5000:100:100 5210:100:100", "5000-5210")]
    [InlineData("starts and ends on pages with matches", "900:100:0 1000:100:100 1300:100:100 1400:100:0", "1000-1300")]
    [InlineData("rows per page from the stretch's own pages", "1000:60:60 1400:60:60 3000:200:0", "1000-1400")]
    [InlineData("a run too short reaches halfway to the sampled pages without matches", "300:87:0 538:87:43 545:88:45 736:87:43 1647:86:0", "419-1191")]
    [InlineData("halfway on one side where the table starts", "538:87:43 545:88:45 736:87:43 1647:86:0", "538-1191")]
    [InlineData("a sampled page with matches ends the run as before, not halfway to it", "538:87:43 545:88:45 736:87:43 1647:86:2", "736-1647")]
    [InlineData("not where halfway holds too few", "538:87:43 545:88:45 736:87:43 800:86:0", "none")]
    [InlineData("nor past the rows it may read", "1000:100:100 1100:100:100 3000:100:0", "none")]
    [InlineData("a run of one page is never widened", "500:87:87 1647:86:0", "none")]
    public void X5_the_stretch_is_the_shortest_the_sample_says_holds_twice_the_cap(string why, string sample, string expected)
    {
        var pages = sample.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(':').Select(int.Parse).ToArray())
            .Select(p => new PostgresExceptionSearch.SampledPage(p[0], p[1], p[2]))
            .ToList();

        var stretch = PostgresExceptionSearch.DenseStretch(pages, 2.0 * (CrmAdmin.Features.Exceptions.TextSearchTerms.MaxCandidates + 1), PostgresExceptionSearch.StretchRowsLimit);

        Assert.True(expected == (stretch is var (from, to) ? $"{from}-{to}" : "none"), $"{why}: {stretch}");
    }
}
