using Bunit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Routing;

namespace CrmAdmin.Tests.Components;

public class SimulationResultTests : MudTestContext
{
    private static RoutingOutcome Outcome(bool blocked = false, bool dryRun = true, OutcomeEntity[]? created = null, OutcomeEntity[]? logged = null) => new(
        "IncomingCall", "+14155550100", dryRun, blocked,
        blocked ? new MatchedExceptionDto(7, EntryType.Phone, "+14155550100", "spam robot") : null,
        created ?? [], logged ?? [], false, ["C1", "C2"],
        ["C1: The number is in international format.", "C2: +14155550100 is on the exception list: nothing is created."],
        blocked ? "Blocked by exception +14155550100 — \"spam robot\": nothing created or logged" : "New lead created");

    [Fact]
    public void The_verdict_comes_first_then_the_matched_entry_then_the_rule_trail_in_order()
    {
        var view = Render<SimulationResult>(p => p.Add(c => c.Outcome, Outcome(blocked: true)));

        Assert.Equal("Blocked by exception +14155550100 — \"spam robot\": nothing created or logged", view.Find("[data-testid=verdict]").TextContent);
        Assert.Equal("blocked", view.Find("[data-testid=outcome]").GetAttribute("data-kind"));
        Assert.Contains("spam robot", view.Find("[data-testid=matched-exception]").TextContent);
        Assert.Equal(["C1", "C2"], view.FindAll("[data-testid=rule-trail] li").Select(li => li.GetAttribute("data-rule")));
        Assert.Contains("nothing is created", view.FindAll("[data-testid=rule-trail] li")[1].TextContent);
    }

    [Fact]
    public void Applied_entities_link_to_their_pages_and_dry_run_ones_say_would()
    {
        var applied = Render<SimulationResult>(p => p.Add(c => c.Outcome,
            Outcome(dryRun: false, created: [new(CrmEntityType.Lead, 12, "Incoming call from +14155550100", "C5")], logged: [new(CrmEntityType.Lead, 12, "Incoming call from +14155550100", "C5")])));
        var dry = Render<SimulationResult>(p => p.Add(c => c.Outcome,
            Outcome(created: [new(CrmEntityType.Lead, null, "Incoming call from +14155550100")])));

        Assert.Equal("crm/leads/12", applied.Find("[data-testid=created] a").GetAttribute("href"));
        Assert.Contains("Created", applied.Markup);
        Assert.Equal("C5", applied.Find("[data-testid=created] li").GetAttribute("data-rule"));
        Assert.Equal("Created by rule C5", applied.Find("[data-testid=created] li [title]").GetAttribute("title"));
        Assert.Equal("Logged by rule C5", applied.Find("[data-testid=logged-to] li [title]").GetAttribute("title"));
        Assert.Empty(dry.FindAll("[data-testid=created] a"));
        Assert.Contains("Would create", dry.Markup);
    }

    [Fact]
    public void The_channel_and_entity_types_read_as_words_and_an_IDN_customer_reads_in_Unicode()
    {
        var outcome = Outcome(created: [new(CrmEntityType.Lead, null, "Email from user@bücher.example")]) with
        {
            Channel = "NewEmail",
            Customer = "user@xn--bcher-kva.example",
        };

        var view = Render<SimulationResult>(p => p.Add(c => c.Outcome, outcome));

        Assert.Equal("New email · user@bücher.example", view.Find("[data-testid=customer]").TextContent.Trim());
        Assert.DoesNotContain("NewEmail", view.Markup);
        Assert.Equal("Lead: Email from user@bücher.example", view.Find("[data-testid=created] li").TextContent.Trim());
    }

    [Fact]
    public void A_sentence_showing_an_IDN_customer_or_entry_in_Unicode_keeps_the_stored_form_in_its_title()
    {
        var outcome = Outcome(blocked: true) with
        {
            Channel = "NewEmail",
            Customer = "user@xn--bcher-kva.example",
            MatchedException = new MatchedExceptionDto(7, EntryType.EmailDomain, "@xn--bcher-kva.example", null),
            Explanation = ["E2: user@bücher.example matches the domain entry @bücher.example (every address at bücher.example): a new email from it is not saved in the CRM at all."],
            Verdict = "Blocked by exception @bücher.example: not saved in the CRM",
        };

        var view = Render<SimulationResult>(p => p.Add(c => c.Outcome, outcome));

        Assert.Equal("user@bücher.example (stored as user@xn--bcher-kva.example); @bücher.example (stored as @xn--bcher-kva.example)",
            view.Find("[data-testid=rule-trail] li").GetAttribute("title"));
        Assert.Equal("@bücher.example (stored as @xn--bcher-kva.example)", view.Find("[data-testid=verdict]").GetAttribute("title"));
        Assert.Equal("user@bücher.example (stored as user@xn--bcher-kva.example)", view.Find("[data-testid=customer] span").GetAttribute("title"));
        Assert.DoesNotContain("xn--", view.Find("[data-testid=rule-trail]").TextContent);
    }
}
