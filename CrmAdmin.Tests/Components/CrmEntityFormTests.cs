using AngleSharp.Dom;
using Bunit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Features.Crm;

namespace CrmAdmin.Tests.Components;

public class CrmEntityFormTests : MudTestContext
{
    private EntityInput? submitted;

    private IRenderedComponent<CrmEntityForm> RenderForm(string? refusal = null) => Render<CrmEntityForm>(p => p
        .Add(c => c.Type, CrmEntityType.Lead)
        .Add(c => c.WithLinks, true)
        .Add(c => c.SubmitText, "Create lead")
        .Add(c => c.Submit, input =>
        {
            submitted = input;
            return Task.FromResult(refusal);
        }));

    private static IElement Field(IRenderedComponent<CrmEntityForm> form, string label)
    {
        var forId = form.FindAll("label").Single(l => l.TextContent.Trim().TrimEnd('*').Trim() == label).GetAttribute("for");
        return form.Find($"[id='{forId}']");
    }

    // The error a person reads under a field: the element the field's input says describes it.
    private static string ErrorsUnder(IRenderedComponent<CrmEntityForm> form, string label)
    {
        var input = Field(form, label);
        var described = (input.GetAttribute("aria-describedby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(" | ", described.Select(id => form.FindAll($"[id='{id}']").FirstOrDefault()?.TextContent.Trim()).Where(t => !string.IsNullOrEmpty(t)));
    }

    [Fact]
    public void Every_invalid_phone_and_email_and_the_missing_title_show_under_their_own_fields_and_nothing_is_submitted()
    {
        var form = RenderForm();

        Field(form, "Phones").Change("+1 415 555 0100, 12, abc");
        Field(form, "Emails").Change("ok@example.com, bob@");
        form.Find("form").Submit();

        form.WaitForAssertion(() =>
        {
            Assert.Contains("Give the lead a title.", ErrorsUnder(form, "Title"));
            Assert.Contains("Phone \"12\"", ErrorsUnder(form, "Phones"));
            Assert.Contains("Phone \"abc\"", ErrorsUnder(form, "Phones"));
            Assert.DoesNotContain("Email", ErrorsUnder(form, "Phones"));
            Assert.Contains("Email \"bob@\"", ErrorsUnder(form, "Emails"));
        });
        Assert.Null(submitted);
    }

    [Fact]
    public void Valid_fields_are_submitted_as_typed_with_the_links()
    {
        var form = RenderForm();

        Field(form, "Title").Change("Roof repair");
        Field(form, "Phones").Change("+1 415 555 0100");
        Field(form, "Contact id").Change("7");
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.NotNull(submitted));
        Assert.Equal("Roof repair", submitted!.Title);
        Assert.Equal(["+1 415 555 0100"], submitted.Phones);
        Assert.Equal(7, submitted.ContactId);
    }

    [Fact]
    public void A_refused_contact_link_shows_under_the_contact_field()
    {
        var form = RenderForm(refusal: "There is no contact 7.");

        Field(form, "Title").Change("Roof repair");
        Field(form, "Contact id").Change("7");
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Contains("There is no contact 7.", ErrorsUnder(form, "Contact id")));
        Assert.DoesNotContain("There is no contact 7.", ErrorsUnder(form, "Title"));
    }
}
