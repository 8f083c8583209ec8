using AngleSharp.Dom;
using Bunit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Features.Crm;

namespace CrmAdmin.Tests.Components;

public class CrmEntityFormTests : MudTestContext
{
    private static readonly EntityOption Ann = new(CrmEntityType.Contact, 7, "Ann Lee", "+14155550111");

    private EntityInput? submitted;
    private IRenderedComponent<ContainerFragment>? providers;

    private IRenderedComponent<CrmEntityForm> RenderForm(FieldRefusal? refusal = null)
    {
        providers = RenderProviders();
        return Render<CrmEntityForm>(p => p
            .Add(c => c.Type, CrmEntityType.Lead)
            .Add(c => c.SubmitText, "Create lead")
            .Add(c => c.SearchEntities, (type, text, take, _) => Task.FromResult<IReadOnlyList<EntityOption>>(
                type == CrmEntityType.Contact && (text is null || Ann.Title.Contains(text, StringComparison.OrdinalIgnoreCase)) ? [Ann] : []))
            .Add(c => c.Submit, input =>
            {
                submitted = input;
                return Task.FromResult(refusal);
            }));
    }

    // Types into a picker and chooses the option with this name from the list it opens.
    private async Task ChooseAsync(IRenderedComponent<CrmEntityForm> form, string label, string typed, string name)
    {
        Field(form, label).Input(typed);
        var root = providers!;
        // The list re-renders while the search settles: find the option and click it in one step on the renderer.
        root.WaitForAssertion(() => Assert.Contains(root.FindAll(".crm-option-title"), o => o.TextContent == name), TimeSpan.FromSeconds(5));
        await root.InvokeAsync(() => root.FindAll(".crm-option-title").First(o => o.TextContent == name).Click());
        form.WaitForAssertion(() => Assert.Equal(name, Field(form, label).GetAttribute("value")));
    }

    private static IElement Field(IRenderedComponent<CrmEntityForm> form, string label)
    {
        var forId = form.FindAll("label").Single(l => l.TextContent.Trim().TrimEnd('*').Trim() == label).GetAttribute("for");
        return form.Find($"[id='{forId}']");
    }

    private static void Submit(IRenderedComponent<CrmEntityForm> form) => form.FindAll("button").Single(b => b.TextContent.Trim() == "Create lead").Click();

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
        Submit(form);

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
    public async Task Valid_fields_are_submitted_as_typed_with_the_contact_chosen_in_the_picker()
    {
        var form = RenderForm();

        Field(form, "Title").Change("Roof repair");
        Field(form, "Phones").Change("+1 415 555 0100");
        await ChooseAsync(form, "Contact", "ann", "Ann Lee");
        Submit(form);

        form.WaitForAssertion(() => Assert.NotNull(submitted));
        Assert.Equal("Roof repair", submitted!.Title);
        Assert.Equal(["+1 415 555 0100"], submitted.Phones);
        Assert.Equal(7, submitted.ContactId);
        Assert.Null(submitted.CompanyId);
    }

    [Fact]
    public void A_contact_typed_but_not_chosen_is_a_field_error_and_nothing_is_submitted()
    {
        var form = RenderForm();

        Field(form, "Title").Change("Roof repair");
        Field(form, "Contact").Input("Zed Nobody");
        Submit(form);

        form.WaitForAssertion(() => Assert.Contains("\"Zed Nobody\" is not chosen", ErrorsUnder(form, "Contact")));
        Assert.Null(submitted);
    }

    [Fact]
    public async Task A_refused_contact_link_shows_under_the_contact_picker()
    {
        var form = RenderForm(new FieldRefusal("The chosen contact does not exist (it may have been moved to the Recycle bin): choose another.", "contactId"));

        Field(form, "Title").Change("Roof repair");
        await ChooseAsync(form, "Contact", "ann", "Ann Lee");
        Submit(form);

        form.WaitForAssertion(() => Assert.Contains("The chosen contact does not exist", ErrorsUnder(form, "Contact")));
        Assert.DoesNotContain("The chosen contact", ErrorsUnder(form, "Title"));
        Assert.Empty(form.FindAll("[role=alert]"));
    }

    [Fact]
    public void An_idn_email_is_edited_as_written_in_unicode_not_as_stored()
    {
        var lead = new EntityDetails(CrmEntityType.Lead, 5, "Email from kontakt@bücher.example", [], ["kontakt@xn--bcher-kva.example", "info@xn--e1afmkfd.xn--p1ai"],
            null, null, LeadStatus.Open, null, null, null, false, new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), []);

        var form = Render<CrmEntityForm>(p => p
            .Add(c => c.Type, CrmEntityType.Lead)
            .Add(c => c.Initial, lead)
            .Add(c => c.SubmitText, "Save")
            .Add(c => c.SearchEntities, (_, _, _, _) => Task.FromResult<IReadOnlyList<EntityOption>>([]))
            .Add(c => c.Submit, _ => Task.FromResult<FieldRefusal?>(null)));

        Assert.Equal("kontakt@bücher.example, info@пример.рф", Field(form, "Emails").GetAttribute("value"));
    }
}
