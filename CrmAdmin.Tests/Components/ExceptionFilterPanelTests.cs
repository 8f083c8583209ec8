using Bunit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;

namespace CrmAdmin.Tests.Components;

public class ExceptionFilterPanelTests : MudTestContext
{
    [Fact]
    public void Search_sends_the_trimmed_comment_and_value()
    {
        ExceptionFilter? searched = null;
        var panel = Render<ExceptionFilterPanel>(p => p.Add(c => c.OnSearch, f => searched = f));

        panel.Find("#filter-comment").Change("  spam ");
        panel.Find("#filter-value").Change(" 415 555 ");
        panel.Find("form").Submit();

        Assert.Equal(new ExceptionFilter("spam", "415 555", null), searched);
    }

    [Fact]
    public void Blank_fields_mean_no_filter()
    {
        ExceptionFilter? searched = null;
        var panel = Render<ExceptionFilterPanel>(p => p.Add(c => c.OnSearch, f => searched = f));

        panel.Find("#filter-comment").Change("   ");
        panel.Find("form").Submit();

        Assert.Equal(ExceptionFilter.None, searched);
    }

    [Fact]
    public void It_starts_from_the_filter_in_force_and_reset_clears_it()
    {
        ExceptionFilter? searched = null;
        var panel = Render<ExceptionFilterPanel>(p => p
            .Add(c => c.Filter, new ExceptionFilter("robot", "@example.com", EntryType.EmailDomain))
            .Add(c => c.OnSearch, f => searched = f));

        Assert.Equal("robot", panel.Find("#filter-comment").GetAttribute("value"));
        Assert.Equal("@example.com", panel.Find("#filter-value").GetAttribute("value"));

        panel.FindAll("button").Single(b => b.TextContent.Contains("Reset")).Click();

        Assert.Equal(ExceptionFilter.None, searched);
    }

    [Fact]
    public void What_is_typed_stays_when_the_page_renders_again_and_a_new_filter_in_force_replaces_it()
    {
        var panel = Render<ExceptionFilterPanel>(p => p.Add(c => c.Filter, new ExceptionFilter("robot", null, null)));
        panel.Find("#filter-comment").Change("half-typed");

        // The page renders again with the same filter (its grid loaded): an equal record, not the same object.
        panel.Render(p => p.Add(c => c.Filter, new ExceptionFilter("robot", null, null)));
        Assert.Equal("half-typed", panel.Find("#filter-comment").GetAttribute("value"));

        // Back to another filter: the fields show it.
        panel.Render(p => p.Add(c => c.Filter, new ExceptionFilter("spam", "415", null)));
        Assert.Equal("spam", panel.Find("#filter-comment").GetAttribute("value"));
        Assert.Equal("415", panel.Find("#filter-value").GetAttribute("value"));
    }

    [Fact]
    public void Reset_is_disabled_when_no_filter_is_in_force()
    {
        var panel = Render<ExceptionFilterPanel>();

        Assert.True(panel.FindAll("button").Single(b => b.TextContent.Contains("Reset")).HasAttribute("disabled"));
    }

    [Fact]
    public void Each_field_has_a_label_a_person_reads()
    {
        var panel = Render<ExceptionFilterPanel>();

        Assert.Equal("Comment contains", panel.Find("label[for=filter-comment]").TextContent.Trim());
        Assert.Equal("Phone or email contains", panel.Find("label[for=filter-value]").TextContent.Trim());
        Assert.Contains(panel.FindAll("label"), l => l.TextContent.Trim() == "Type");
    }
}
