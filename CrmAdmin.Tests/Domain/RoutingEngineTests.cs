using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;

namespace CrmAdmin.Tests.Domain;

/// <summary>One test per rule id (C1–C8, E1–E3, O1) and per statement of seed 003.</summary>
public class RoutingEngineTests
{
    private static readonly ContactPoint Number = new(EntryType.Phone, "+14155550100");
    private static readonly ContactPoint Address = new(EntryType.Email, "buyer@example.com");
    private static readonly DateTime Day = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly MatchedException Spam = new(7, EntryType.Phone, "+14155550100", "spam robot");

    private static readonly RoutingSettings Classic = RoutingSettings.Default;
    private static readonly RoutingSettings Simple = Classic with { Mode = CrmMode.Simple };
    private static readonly RoutingSettings RepeatedOn = Classic with { RepeatedLeads = true };
    private static readonly LineSettings Line = LineSettings.Default;
    private static readonly LineSettings RepeatingLine = new("Main line", new(true, true), new(true, true));

    private static RelatedLead OpenLead(long id = 1) => new(id, $"Lead {id}", LeadStatus.Open, false, false, null, null);
    private static RelatedLead ClosedLead(long id, int day, bool toContact = false, bool toDeal = false, long? contact = null) =>
        new(id, $"Lead {id}", toContact || toDeal ? LeadStatus.Converted : LeadStatus.Junk, toContact, toDeal, Day.AddDays(day), contact);
    private static RelatedDeal OpenDeal(long id, long? contact = 10) => new(id, $"Deal {id}", DealStage.Open, null, contact);
    private static RelatedDeal ClosedDeal(long id, long? contact = 10) => new(id, $"Deal {id}", DealStage.Won, Day, contact);
    private static RelatedParty Contact(long id = 10) => new(id, $"Contact {id}");
    private static RelatedParty Company(long id = 20) => new(id, $"Company {id}");

    private static RelatedEntities Related(RelatedLead[]? leads = null, RelatedDeal[]? deals = null, RelatedParty[]? contacts = null, RelatedParty[]? companies = null) =>
        new(leads ?? [], deals ?? [], contacts ?? [], companies ?? []);

    private static RoutingDecision Incoming(RelatedEntities related, RoutingSettings? settings = null, LineSettings? line = null, MatchedException? match = null) =>
        RoutingEngine.DecideCall(new CallFacts(CallDirection.Incoming, "+1 (415) 555-0100", Number, line ?? Line, settings ?? Classic, related, match));

    private static RoutingDecision Outgoing(RelatedEntities related, RoutingSettings? settings = null, LineSettings? line = null, CardRef? card = null) =>
        RoutingEngine.DecideCall(new CallFacts(CallDirection.Outgoing, "+14155550100", Number, line ?? Line, settings ?? Classic, related, null, card));

    private static IEnumerable<(CrmEntityType, long?)> Logged(RoutingDecision d) => d.LogTo.Select(l => (l.Type, l.Entity.ExistingId));

    [Fact]
    public void C1_the_number_is_shown_as_dialled_and_as_normalized()
    {
        var decision = Incoming(RelatedEntities.None);

        Assert.Equal("C1", decision.Rules[0]);
        Assert.Contains("\"+1 (415) 555-0100\" is +14155550100", decision.Steps[0].Explanation);
        Assert.Equal(Number, decision.Customer);
    }

    [Fact]
    public void C2_an_excepted_number_creates_nothing_but_is_still_logged_to_what_exists()
    {
        var decision = Incoming(Related(contacts: [Contact()]), RepeatedOn, RepeatingLine, Spam);

        Assert.True(decision.Blocked);
        Assert.Equal(Spam, decision.MatchedException);
        Assert.Empty(decision.Create);
        Assert.Equal([(CrmEntityType.Contact, 10L)], Logged(decision));
        Assert.Equal(["C1", "C2", "C4", "C6"], decision.Rules);
        Assert.StartsWith("Blocked by exception +14155550100 — \"spam robot\"", decision.Verdict);
    }

    [Fact]
    public void C2_an_excepted_unknown_number_creates_and_logs_nothing()
    {
        var decision = Incoming(RelatedEntities.None, match: Spam);

        Assert.Empty(decision.Create);
        Assert.Empty(decision.LogTo);
        Assert.Equal("Blocked by exception +14155550100 — \"spam robot\": nothing created or logged", decision.Verdict);
    }

    [Fact]
    public void C3_a_call_is_logged_to_every_open_lead_and_deal_and_the_contacts_and_companies()
    {
        var decision = Incoming(Related([OpenLead(1), ClosedLead(2, 1)], [OpenDeal(3), ClosedDeal(4)], [Contact()], [Company()]));

        Assert.Equal([(CrmEntityType.Lead, 1L), (CrmEntityType.Deal, 3L), (CrmEntityType.Contact, 10L), (CrmEntityType.Company, 20L)], Logged(decision));
        Assert.Empty(decision.Create);
        Assert.Equal(["C1", "C3"], decision.Rules);
    }

    [Fact]
    public void Seed_two_open_deals_with_one_number_are_both_logged()
    {
        var decision = Incoming(Related(deals: [OpenDeal(3), OpenDeal(4)], contacts: [Contact()]));

        Assert.Contains((CrmEntityType.Deal, 3L), Logged(decision));
        Assert.Contains((CrmEntityType.Deal, 4L), Logged(decision));
    }

    [Fact]
    public void Seed_an_open_deal_and_an_open_lead_are_all_logged()
    {
        var decision = Incoming(Related([OpenLead(1)], [OpenDeal(3)], [Contact()]));

        Assert.Equal(3, decision.LogTo.Count);
        Assert.Equal("Logged to 3 entities", decision.Verdict);
    }

    [Fact]
    public void C4_with_nothing_open_a_call_is_logged_to_the_contact_and_company()
    {
        var decision = Incoming(Related([ClosedLead(1, 1)], [ClosedDeal(3)], [Contact()], [Company()]));

        Assert.Equal([(CrmEntityType.Contact, 10L), (CrmEntityType.Company, 20L)], Logged(decision));
        Assert.Equal(["C1", "C4", "C6"], decision.Rules);
    }

    [Fact]
    public void C4_with_only_closed_leads_and_no_contact_a_call_is_logged_to_the_most_recently_closed_lead()
    {
        var decision = Incoming(Related([ClosedLead(1, 1), ClosedLead(2, 5), ClosedLead(3, 3)]));

        Assert.Equal([(CrmEntityType.Lead, 2L)], Logged(decision));
        Assert.Contains("most recently closed lead, Lead 2", decision.Steps[1].Explanation);
    }

    [Fact]
    public void C5_classic_an_unknown_number_creates_an_open_lead_and_logs_the_call_to_it()
    {
        var decision = Incoming(RelatedEntities.None);

        var lead = Assert.Single(decision.Create);
        Assert.Equal((CrmEntityType.Lead, "Incoming call from +14155550100", false, "C5"), (lead.Type, lead.Title, lead.IsRepeated, lead.Rule));
        Assert.Equal(new EntityLink(null, lead.Key), Assert.Single(decision.LogTo).Entity);
        Assert.Equal("New lead created", decision.Verdict);
    }

    [Fact]
    public void C5_simple_an_unknown_number_creates_a_contact_and_an_open_deal_with_it()
    {
        var decision = Incoming(RelatedEntities.None, Simple);

        Assert.Equal([(CrmEntityType.Contact, "C5"), (CrmEntityType.Deal, "C5")], decision.Create.Select(p => (p.Type, p.Rule)));
        var contact = decision.Create[0];
        Assert.Equal(new EntityLink(null, contact.Key), decision.Create[1].Contact);
        Assert.Equal(2, decision.LogTo.Count);
        Assert.Equal("New deal and contact created", decision.Verdict);
    }

    [Fact]
    public void C5_with_creation_off_for_the_direction_nothing_is_created_or_logged()
    {
        var decision = Outgoing(RelatedEntities.None);

        Assert.Empty(decision.Create);
        Assert.Empty(decision.LogTo);
        Assert.Contains("entity creation is off on line Main line for outgoing calls", decision.Steps[^1].Explanation);
    }

    [Fact]
    public void C6_a_repeated_lead_for_the_contact_needs_repeated_leads_on_in_CRM_settings_and_on_the_line()
    {
        var related = Related([ClosedLead(1, 1, toContact: true, contact: 10)], contacts: [Contact()]);

        var both = Incoming(related, RepeatedOn, RepeatingLine);
        var crmOnly = Incoming(related, RepeatedOn, Line);
        var lineOnly = Incoming(related, Classic, RepeatingLine);

        var repeated = Assert.Single(both.Create);
        Assert.Equal((CrmEntityType.Lead, true, new EntityLink(10, null), "C6"), (repeated.Type, repeated.IsRepeated, repeated.Contact, repeated.Rule));
        Assert.True(both.Repeated);
        Assert.Contains((CrmEntityType.Contact, 10L), Logged(both));
        Assert.Empty(crmOnly.Create);
        Assert.Contains("repeated leads are off on line Main line for incoming calls", crmOnly.Steps[^1].Explanation);
        Assert.Empty(lineOnly.Create);
        Assert.Contains("repeated leads are off in CRM settings", lineOnly.Steps[^1].Explanation);
    }

    [Fact]
    public void C6_simple_mode_creates_a_repeated_deal()
    {
        var decision = Incoming(Related(deals: [ClosedDeal(3)], contacts: [Contact()]), Simple with { RepeatedLeads = true }, RepeatingLine);

        Assert.Equal(CrmEntityType.Deal, Assert.Single(decision.Create).Type);
        Assert.Equal("Repeated deal created; logged to 2 entities", decision.Verdict);
    }

    [Fact]
    public void C6_outgoing_also_needs_outgoing_creation_on()
    {
        var related = Related(contacts: [Contact()]);
        var repeatingNoCreate = new LineSettings("Main line", new(true, true), new(false, true));

        Assert.Empty(Outgoing(related, RepeatedOn, repeatingNoCreate).Create);
        Assert.Single(Outgoing(related, RepeatedOn, RepeatingLine).Create);
    }

    [Fact]
    public void C7_outgoing_after_a_lead_converted_into_a_deal_creates_a_repeated_lead()
    {
        var decision = Outgoing(Related([ClosedLead(1, 1, toDeal: true, contact: 10)], [ClosedDeal(3)], [Contact()]), RepeatedOn, RepeatingLine);

        Assert.True(decision.Repeated);
        Assert.Equal(["C1", "C4", "C7", "C6"], decision.Rules);
    }

    [Fact]
    public void C7_outgoing_after_a_lead_converted_into_a_contact_only_creates_no_repeated_lead()
    {
        var decision = Outgoing(Related([ClosedLead(1, 1, toContact: true, contact: 10)], contacts: [Contact()]), RepeatedOn, RepeatingLine);

        Assert.False(decision.Repeated);
        Assert.Empty(decision.Create);
        Assert.Contains("converted into a contact only", decision.Steps[^1].Explanation);
    }

    [Fact]
    public void C7_the_same_lead_history_does_create_a_repeated_lead_for_an_incoming_call()
    {
        var decision = Incoming(Related([ClosedLead(1, 1, toContact: true, contact: 10)], contacts: [Contact()]), RepeatedOn, RepeatingLine);

        Assert.True(decision.Repeated);
        Assert.DoesNotContain("C7", decision.Rules);
    }

    [Fact]
    public void C8_click_to_call_from_a_contact_card_is_a_standard_outgoing_call()
    {
        var related = Related([OpenLead(1)], [OpenDeal(3)], [Contact()]);

        var decision = Outgoing(related, card: new CardRef(CrmEntityType.Contact, 10, "Contact 10", false));

        Assert.Equal(Logged(Outgoing(related)), Logged(decision));
        Assert.Equal("C8", decision.Rules[^1]);
    }

    [Fact]
    public void C8_a_call_from_a_closed_deal_card_is_also_logged_to_that_card()
    {
        var related = Related([OpenLead(1)], [ClosedDeal(4)], [Contact()]);

        var decision = Outgoing(related, card: new CardRef(CrmEntityType.Deal, 4, "Deal 4", true));

        Assert.Equal([(CrmEntityType.Lead, 1L), (CrmEntityType.Contact, 10L), (CrmEntityType.Deal, 4L)], Logged(decision));
        Assert.Contains("also logged to that card", decision.Steps[^1].Explanation);
    }

    [Fact]
    public void C8_a_call_from_a_closed_lead_card_the_number_is_not_related_to_is_logged_to_that_card_under_C8()
    {
        var decision = Outgoing(RelatedEntities.None, card: new CardRef(CrmEntityType.Lead, 5, "Lead 5", true));

        var card = Assert.Single(decision.LogTo);
        Assert.Equal((CrmEntityType.Lead, 5L, "C8"), (card.Type, card.Entity.ExistingId!.Value, card.Rule));
        Assert.Equal(["C1", "C5", "C8"], decision.Rules);
    }

    public static TheoryData<string, RoutingDecision, string[]> EveryLoggedEntity => new()
    {
        { "C3 open lead and deal, contact", Incoming(Related([OpenLead(1)], [OpenDeal(3)], [Contact()])), ["C3", "C3", "C3"] },
        { "C4 contact and company", Incoming(Related(contacts: [Contact()], companies: [Company()])), ["C4", "C4"] },
        { "C4 last closed lead", Incoming(Related([ClosedLead(2, 1)])), ["C4"] },
        { "C5 new lead", Incoming(RelatedEntities.None), ["C5"] },
        { "C5 Simple: deal and contact", Incoming(RelatedEntities.None, Simple), ["C5", "C5"] },
        { "C6 repeated lead beside the contact", Incoming(Related(contacts: [Contact()]), RepeatedOn, RepeatingLine), ["C4", "C6"] },
        { "C8 closed deal card beside C3", Outgoing(Related([OpenLead(1)], [ClosedDeal(4)], [Contact()]), card: new CardRef(CrmEntityType.Deal, 4, "Deal 4", true)), ["C3", "C3", "C8"] },
        { "C8 closed lead card already logged by C4", Outgoing(Related([ClosedLead(2, 1)]), card: new CardRef(CrmEntityType.Lead, 2, "Lead 2", true)), ["C4"] },
        {
            "E1 thread", RoutingEngine.DecideEmail(new EmailFacts("b@example.com", Address, Classic, RelatedEntities.None, null, "<m1@crm>",
                [new LogTarget(CrmEntityType.Deal, new EntityLink(3, null), "Deal 3")])), ["E1"]
        },
    };

    [Theory]
    [MemberData(nameof(EveryLoggedEntity))]
    public void Every_logged_entity_names_the_rule_that_logged_it_and_that_rule_is_in_the_trail(string scenario, RoutingDecision decision, string[] rules)
    {
        Assert.Equal(rules, decision.LogTo.Select(l => l.Rule));
        Assert.All(decision.LogTo, l => Assert.Contains(l.Rule, decision.Rules));
        Assert.NotEmpty(scenario);
    }

    private static RoutingDecision Email(RelatedEntities related, RoutingSettings? settings = null, MatchedException? match = null,
        string? inReplyTo = null, IReadOnlyList<LogTarget>? thread = null) =>
        RoutingEngine.DecideEmail(new EmailFacts("Buyer@Example.com", Address, settings ?? Classic, related, match, inReplyTo, thread));

    [Fact]
    public void E1_a_reply_to_a_saved_message_is_saved_to_its_thread_whatever_the_exception_list_says()
    {
        var thread = new[] { new LogTarget(CrmEntityType.Deal, new EntityLink(3, null), "Deal 3") };

        var decision = Email(RelatedEntities.None, match: new MatchedException(9, EntryType.EmailDomain, "@example.com", null), inReplyTo: "<m1@crm>", thread: thread);

        Assert.Equal(RoutingChannel.EmailReply, decision.Channel);
        Assert.False(decision.Blocked);
        Assert.Equal([(CrmEntityType.Deal, 3L)], Logged(decision));
        Assert.Equal(["E1"], decision.Rules);
    }

    [Fact]
    public void E1_a_reply_to_an_unknown_message_is_a_new_email()
    {
        var decision = Email(RelatedEntities.None, inReplyTo: "<unknown@elsewhere>", thread: []);

        Assert.Equal(["E1", "E3", "C5"], decision.Rules);
        Assert.Single(decision.Create);
    }

    [Fact]
    public void E2_a_new_email_matching_an_entry_or_its_domain_is_not_saved_at_all()
    {
        var decision = Email(Related(contacts: [Contact()]), match: new MatchedException(9, EntryType.EmailDomain, "@example.com", "newsletters"));

        Assert.True(decision.Blocked);
        Assert.Empty(decision.LogTo);
        Assert.Empty(decision.Create);
        Assert.Equal("Blocked by exception @example.com — \"newsletters\": not saved in the CRM", decision.Verdict);
    }

    [Fact]
    public void E3_a_new_email_follows_the_call_rules_with_create_from_new_emails_in_place_of_the_line()
    {
        Assert.Single(Email(RelatedEntities.None).Create);
        var off = Email(RelatedEntities.None, Classic with { CreateFromNewEmails = false });
        Assert.Empty(off.Create);
        Assert.Contains("\"create entities from new emails\" is off", off.Steps[^1].Explanation);
        Assert.Equal([(CrmEntityType.Lead, 1L), (CrmEntityType.Contact, 10L)], Logged(Email(Related([OpenLead()], contacts: [Contact()]))));
    }

    [Fact]
    public void O1_a_chat_from_an_excepted_number_is_processed_and_always_creates_when_nothing_is_related()
    {
        var decision = RoutingEngine.DecideChatOrForm(new ChatOrFormFacts(RoutingChannel.Chat, Number, null, "Ann", Classic, RelatedEntities.None, Spam));

        Assert.False(decision.Blocked);
        Assert.Null(decision.MatchedException);
        Assert.Equal(CrmEntityType.Lead, Assert.Single(decision.Create).Type);
        Assert.Contains("+14155550100 is on it", decision.Steps[0].Explanation);
        Assert.Equal(["O1", "C5"], decision.Rules);
    }

    [Fact]
    public void O1_a_form_in_simple_mode_creates_a_contact_with_the_given_name_and_a_deal()
    {
        var decision = RoutingEngine.DecideChatOrForm(new ChatOrFormFacts(RoutingChannel.Form, null, Address, "Ann Buyer", Simple, RelatedEntities.None, null));

        Assert.Equal("Ann Buyer", decision.Create.Single(p => p.Type == CrmEntityType.Contact).Title);
    }

    [Fact]
    public void O1_related_by_phone_or_email_are_both_used()
    {
        var byPhone = Related(contacts: [Contact(10)]);
        var byEmail = Related([OpenLead(1)], contacts: [Contact(10)]);

        var decision = RoutingEngine.DecideChatOrForm(new ChatOrFormFacts(RoutingChannel.Chat, Number, Address, null, Classic, byPhone.Union(byEmail), null));

        Assert.Equal([(CrmEntityType.Lead, 1L), (CrmEntityType.Contact, 10L)], Logged(decision));
    }

    public static TheoryData<string, RoutingDecision, string[]> IdnTitles => new()
    {
        {
            "new email, classic", RoutingEngine.DecideEmail(new EmailFacts("Kontakt@Bücher.example", new(EntryType.Email, "kontakt@xn--bcher-kva.example"),
                Classic, RelatedEntities.None, null)), ["Email from kontakt@bücher.example"]
        },
        {
            "new email, simple: contact named by the address, and deal", RoutingEngine.DecideEmail(new EmailFacts("info@пример.рф", new(EntryType.Email, "info@xn--e1afmkfd.xn--p1ai"),
                Simple, RelatedEntities.None, null)), ["info@пример.рф", "Email from info@пример.рф"]
        },
        {
            "repeated lead", RoutingEngine.DecideEmail(new EmailFacts("kontakt@bücher.example", new(EntryType.Email, "kontakt@xn--bcher-kva.example"),
                RepeatedOn, Related(contacts: [Contact()]), null)), ["Repeated: Email from kontakt@bücher.example"]
        },
        {
            "web form", RoutingEngine.DecideChatOrForm(new ChatOrFormFacts(RoutingChannel.Form, null, new(EntryType.Email, "info@xn--e1afmkfd.xn--p1ai"), null,
                Classic, RelatedEntities.None, null)), ["CRM form from info@пример.рф"]
        },
    };

    [Theory]
    [MemberData(nameof(IdnTitles))]
    public void C5_C6_a_title_names_an_internationalized_address_as_people_write_it_while_the_customer_keeps_the_stored_form(
        string scenario, RoutingDecision decision, string[] titles)
    {
        Assert.Equal(titles, decision.Create.Select(p => p.Title));
        Assert.All(decision.LogTo, l => Assert.DoesNotContain("xn--", l.Title, StringComparison.Ordinal));
        Assert.Contains("xn--", decision.Customer!.Value.Value, StringComparison.Ordinal);
        Assert.NotEmpty(scenario);
    }

    [Theory]
    [InlineData(EntryType.Email, "kontakt@xn--bcher-kva.example", "kontakt@bücher.example")]
    [InlineData(EntryType.Email, "почта@xn--e1afmkfd.xn--p1ai", "почта@пример.рф")]
    [InlineData(EntryType.EmailDomain, "@xn--bcher-kva.example", "@bücher.example")]
    [InlineData(EntryType.EmailDomainTree, "@*.xn--bcher-kva.example", "@*.bücher.example")]
    [InlineData(EntryType.Email, "buyer@example.com", "buyer@example.com")]
    [InlineData(EntryType.Email, "odd@xn--.example", "odd@xn--.example")]
    [InlineData(EntryType.Phone, "+14155550100", "+14155550100")]
    [InlineData(EntryType.PhonePrefix, "+1900*", "+1900*")]
    public void X3_a_contact_point_is_written_for_people_with_its_domain_in_unicode(EntryType type, string stored, string written) =>
        Assert.Equal(written, new ContactPoint(type, stored).AsWritten);
}
