using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

/// <summary>I12: the report keeps the first problem lines inline, counts the rest, and logs every one of them in order.</summary>
public class BoundedImportReportDomainTests
{
    private sealed class ListLog : IImportProblemLog
    {
        public List<ImportProblem> Written { get; } = [];

        public void Write(ImportProblem problem) => Written.Add(problem);
    }

    [Fact]
    public void I12_past_the_inline_limit_problems_are_counted_and_logged_not_kept()
    {
        var log = new ListLog();
        var report = new ImportReport(maxInlineProblems: 10, log);
        var screen = new ImportScreen(report);

        foreach (var line in ImportLineParser.Parse(string.Join("\n", Enumerable.Range(1, 30).Select(i => i % 3 == 0 ? $"+1 415 555 {i:0000}" : $"bad {i}"))))
        {
            if (screen.Admit(line))
            {
                report.Record(line, ImportLineStatus.Added);
            }
        }

        Assert.Equal((10, 20, 20), (report.Added, report.Invalid, report.ProblemLines));
        Assert.Equal(10, report.Problems.Count);
        Assert.Equal(10, report.MoreProblems);
        Assert.Equal(Enumerable.Range(1, 30).Where(i => i % 3 != 0), log.Written.Select(p => p.Line));
        Assert.Equal(log.Written.Take(10), report.Problems);
    }

    [Fact]
    public void I12_a_report_within_the_limit_lists_every_problem_and_has_none_more()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);

        foreach (var line in ImportLineParser.Parse("bad\n+14155550100\n+1 415 555 0100"))
        {
            if (screen.Admit(line))
            {
                report.Record(line, ImportLineStatus.Added);
            }
        }

        Assert.Equal(2, report.Problems.Count);
        Assert.Equal(0, report.MoreProblems);
        Assert.Equal(ImportReport.DefaultMaxInlineProblems, report.MaxInlineProblems);
    }
}
