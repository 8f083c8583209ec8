using Bunit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Features.Crm;
using Microsoft.AspNetCore.Components.Web;

namespace CrmAdmin.Tests.Components;

public class SearchPickerTests : MudTestContext
{
    private static readonly EntityOption[] Contacts =
    [
        new(CrmEntityType.Contact, 4107, "Ann Lee", "+14155550111, ann@acme.example"),
        new(CrmEntityType.Contact, 4108, "Annabel Stone", "annabel@example.org"),
        new(CrmEntityType.Contact, 4109, "Bob Marsh", "+442079460958"),
    ];

    private readonly List<(string? Text, int Take)> searches = [];
    private EntityOption? chosen;

    private (IRenderedComponent<ContainerFragment> Popovers, IRenderedComponent<SearchPicker<EntityOption>> Picker) RenderPicker()
    {
        var popovers = RenderProviders();
        var picker = Render<SearchPicker<EntityOption>>(p => p
            .Add(c => c.Label, "Contact")
            .Add(c => c.TextOf, o => o.Title)
            .Add(c => c.DetailOf, o => o.Detail)
            .Add(c => c.ValueChanged, (EntityOption? o) => chosen = o)
            .Add(c => c.Search, (text, take, _) =>
            {
                searches.Add((text, take));
                return Task.FromResult<IReadOnlyList<EntityOption>>(Contacts
                    .Where(c => text is null || c.Title.Contains(text, StringComparison.OrdinalIgnoreCase) || c.Detail!.Contains(text, StringComparison.OrdinalIgnoreCase))
                    .Take(take).ToList());
            }));
        return (popovers, picker);
    }

    [Fact]
    public void Typing_searches_the_server_and_lists_names_with_their_phones_and_emails_never_ids()
    {
        var (popovers, picker) = RenderPicker();

        picker.Find("input").Input("ann");

        popovers.WaitForAssertion(() => Assert.Equal(["Ann Lee", "Annabel Stone"], popovers.FindAll(".crm-option-title").Select(o => o.TextContent)),
            TimeSpan.FromSeconds(5));
        Assert.Contains(popovers.FindAll(".crm-option-detail"), d => d.TextContent == "+14155550111, ann@acme.example");
        Assert.Contains(("ann", SearchPicker<EntityOption>.MaxResults), searches);
        // What a person reads (text and the field's value), not the markup: MudBlazor's generated element ids are random
        // and once held "410".
        Assert.DoesNotContain("410", Visible(popovers) + Visible(picker));
    }

    [Fact]
    public void Nothing_matches_repeats_a_long_typed_text_cut_to_a_line_that_wraps()
    {
        var (popovers, picker) = RenderPicker();
        var typed = new string('x', 300);

        picker.Find("input").Input(typed);

        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll("[data-testid=picker-nothing-matches]")), TimeSpan.FromSeconds(5));
        var line = popovers.Find("[data-testid=picker-nothing-matches]");
        Assert.Equal($"Nothing matches \"{new string('x', SearchPicker<EntityOption>.MaxEchoedText - 1)}…\".", line.TextContent);
        Assert.Contains("crm-picker-empty", line.ClassList);
    }

    [Fact]
    public async Task Choosing_an_option_sets_the_value_and_shows_its_name_in_the_field()
    {
        var (popovers, picker) = RenderPicker();

        picker.Find("input").Input("bob");
        popovers.WaitForAssertion(() => Assert.Single(popovers.FindAll(".crm-option-title")), TimeSpan.FromSeconds(5));
        await popovers.InvokeAsync(() => popovers.Find(".crm-option-title").Click());

        picker.WaitForAssertion(() => Assert.Equal(Contacts[2], chosen));
        Assert.Equal("Bob Marsh", picker.Find("input").GetAttribute("value"));
        Assert.DoesNotContain("4109", Visible(picker));
    }

    [Fact]
    public void Focusing_an_empty_picker_lists_the_newest_before_anything_is_typed()
    {
        var (popovers, picker) = RenderPicker();

        picker.Find("input").Focus();

        popovers.WaitForAssertion(() => Assert.Equal(["Ann Lee", "Annabel Stone", "Bob Marsh"], popovers.FindAll(".crm-option-title").Select(o => o.TextContent)),
            TimeSpan.FromSeconds(5));
        Assert.Equal([(null, SearchPicker<EntityOption>.MaxResults)], searches);
    }

    [Fact]
    public void Enter_pressed_before_the_search_answers_never_chooses_one_of_the_newest_listed_on_opening()
    {
        var (popovers, picker) = RenderPicker();
        picker.Find("input").Focus();
        popovers.WaitForAssertion(() => Assert.Equal(3, popovers.FindAll(".crm-option-title").Count), TimeSpan.FromSeconds(5));

        // Typed and entered at once: the newest list (Ann Lee first) is still the one shown unless typing closed it.
        picker.Find("input").Input("bob");
        picker.Find("input").KeyUp(new KeyboardEventArgs { Key = "Enter" });

        popovers.WaitForAssertion(() => Assert.Equal(["Bob Marsh"], popovers.FindAll(".crm-option-title").Select(o => o.TextContent)),
            TimeSpan.FromSeconds(5));
        Assert.Null(chosen);
    }

    [Fact]
    public void Tab_past_the_newest_listed_on_opening_chooses_nothing_but_tab_after_typing_chooses_the_match()
    {
        var (popovers, picker) = RenderPicker();
        picker.Find("input").Focus();
        popovers.WaitForAssertion(() => Assert.Equal(3, popovers.FindAll(".crm-option-title").Count), TimeSpan.FromSeconds(5));

        picker.Find("input").KeyDown(new KeyboardEventArgs { Key = "Tab" });
        Assert.Null(chosen);

        picker.Find("input").Focus();
        picker.Find("input").Input("bob");
        popovers.WaitForAssertion(() => Assert.Equal(["Bob Marsh"], popovers.FindAll(".crm-option-title").Select(o => o.TextContent)),
            TimeSpan.FromSeconds(5));
        picker.Find("input").KeyDown(new KeyboardEventArgs { Key = "Tab" });
        picker.WaitForAssertion(() => Assert.Equal(Contacts[2], chosen));
    }

    [Fact]
    public void Focusing_the_picker_never_asks_the_browser_to_select_its_text()
    {
        // A select the server asks for lands after the keys typed meanwhile on a busy server, and the next key replaces them.
        var (_, picker) = RenderPicker();

        picker.Find("input").Focus();

        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier is "mudElementRef.select" or "mudElementRef.selectRange");
    }

    [Fact]
    public void Typing_fast_asks_the_server_once_after_the_pause()
    {
        var (popovers, picker) = RenderPicker();
        var input = picker.Find("input");

        foreach (var typed in new[] { "a", "an", "ann" })
        {
            input.Input(typed);
        }

        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll(".crm-option-title")), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(searches, s => s.Text is "a" or "an");
    }

    /// <summary>The fragment's text and its inputs' values: what a person sees of it.</summary>
    private static string Visible<TComponent>(IRenderedComponent<TComponent> fragment) where TComponent : Microsoft.AspNetCore.Components.IComponent =>
        string.Concat(fragment.Nodes.Select(n => n.TextContent)) + string.Concat(fragment.FindAll("input").Select(i => i.GetAttribute("value")));
}
