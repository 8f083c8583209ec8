using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Domain.Routing;

/// <summary>
/// The CRM's routing rules (SPEC §6–§7, seed 003) as a pure function: facts in, decision out, each
/// step recorded with its rule id and a sentence a person can read. Nothing here reads or writes
/// a database, so a dry run and an applied decision are the same decision.
/// </summary>
public static class RoutingEngine
{
    public static RoutingDecision DecideCall(CallFacts call)
    {
        var channel = call.Direction == CallDirection.Incoming ? RoutingChannel.IncomingCall : RoutingChannel.OutgoingCall;
        var run = new Run(channel, call.Number);
        var what = call.Direction == CallDirection.Incoming ? "incoming call" : "outgoing call";
        var direction = call.Direction == CallDirection.Incoming ? "incoming" : "outgoing";
        run.Step("C1", call.RawNumber.Trim() == call.Number.Value
            ? $"The number {call.Number.Value} is in international format."
            : $"The number \"{call.RawNumber.Trim()}\" is {call.Number.Value} in international format.");

        if (call.Match is { } match)
        {
            run.Block(match);
            var listed = match.Type == EntryType.PhonePrefix
                ? $"{call.Number.Value} starts with {match.Value.TrimEnd('*')}, which is on the exception list as {ExceptionMatching.Describe(match.Type, match.Value)}{CommentOf(match)}"
                : $"{call.Number.Value} is on the exception list{CommentOf(match)}";
            run.Step("C2", $"{listed}: the CRM creates no lead, deal or contact for it; " +
                           "the call is still logged to entities that already have this number.");
        }

        var line = call.Line.For(call.Direction);
        var repeatedOff = !call.Settings.RepeatedLeads ? "repeated leads are off in CRM settings"
            : !line.Repeated ? $"repeated leads are off on line {call.Line.Name} for {direction} calls"
            : call.Direction == CallDirection.Outgoing && !line.CreateEntities ? $"entity creation is off on line {call.Line.Name} for outgoing calls"
            : null;
        var policy = new CreationPolicy(
            CreateNew: line.CreateEntities,
            CreateOffReason: $"entity creation is off on line {call.Line.Name} for {direction} calls",
            RepeatedOffReason: repeatedOff,
            OutgoingCall: call.Direction == CallDirection.Outgoing);
        Route(run, call.Related, call.Settings, policy, what, ActivityTitle(channel, call.Number), name: null);

        if (call.StartedFrom is { } card && call.Direction == CallDirection.Outgoing)
        {
            var closedCard = card.IsClosed && card.Type is CrmEntityType.Lead or CrmEntityType.Deal;
            if (closedCard)
            {
                run.Log(card.Type, new EntityLink(card.Id, null), card.Title, "C8");
            }

            run.Step("C8", closedCard
                ? $"The call was started from the card of the closed {card.Type.Noun()} {card.Title}: it is a standard outgoing call, and it is also logged to that card."
                : $"The call was started from the card of {card.Type.Noun()} {card.Title}: it is a standard outgoing call, logged as above.");
        }

        return run.Finish();
    }

    public static RoutingDecision DecideEmail(EmailFacts email)
    {
        if (email.InReplyTo is { Length: > 0 } replyTo && email.Thread is { Count: > 0 } thread)
        {
            var reply = new Run(RoutingChannel.EmailReply, email.Address);
            foreach (var target in thread)
            {
                reply.Log(target.Type, target.Entity, target.Title, "E1");
            }

            reply.Step("E1", $"The email replies to a message saved in the CRM ({replyTo}): it is saved to the entities of that thread" +
                             (email.Match is null ? "." : ", even though its address is on the exception list."));
            return reply.Finish();
        }

        var run = new Run(RoutingChannel.NewEmail, email.Address);
        if (email.InReplyTo is { Length: > 0 } unknownReply)
        {
            run.Step("E1", $"The email replies to {unknownReply}, which the CRM has not saved, so it is treated as a new email.");
        }

        if (email.Match is { } match)
        {
            run.Block(match);
            run.Step("E2", $"{email.Address.Value} matches {ExceptionMatching.Describe(match.Type, match.Value)}{CommentOf(match)}: a new email from it is not saved in the CRM at all.");
            return run.Finish();
        }

        run.Step("E3", $"A new email is routed by its address like a call, with \"create entities from new emails\" ({OnOff(email.Settings.CreateFromNewEmails)}) in place of the line setting.");
        var policy = new CreationPolicy(
            CreateNew: email.Settings.CreateFromNewEmails,
            CreateOffReason: "\"create entities from new emails\" is off in CRM settings",
            RepeatedOffReason: !email.Settings.RepeatedLeads ? "repeated leads are off in CRM settings"
                : !email.Settings.CreateFromNewEmails ? "\"create entities from new emails\" is off in CRM settings" : null,
            OutgoingCall: false);
        Route(run, email.Related, email.Settings, policy, "email", ActivityTitle(RoutingChannel.NewEmail, email.Address), name: null);
        return run.Finish();
    }

    public static RoutingDecision DecideChatOrForm(ChatOrFormFacts facts)
    {
        var customer = facts.Phone ?? facts.Email ?? throw new ArgumentException("A chat or form needs a phone or an email.", nameof(facts));
        var run = new Run(facts.Channel, customer);
        var what = facts.Channel == RoutingChannel.Chat ? "chat" : "CRM form submission";
        run.Step("O1", $"Chats and CRM forms ignore the exception list" +
                       (facts.IgnoredMatch is { } ignored ? $" ({ignored.Value} is on it)" : "") +
                       " and are routed by phone and email; with nothing related they always create entities.");
        var policy = new CreationPolicy(CreateNew: true, CreateOffReason: "", RepeatedOffReason: facts.Settings.RepeatedLeads ? null : "repeated leads are off in CRM settings",
            OutgoingCall: false);
        Route(run, facts.Related, facts.Settings, policy, what, ActivityTitle(facts.Channel, customer), facts.Name);
        return run.Finish();
    }

    /// <summary>C1: a number that cannot be normalized is an error, and nothing changes.</summary>
    public static string InvalidNumberMessage(string raw, string reason) => $"C1: \"{raw}\" cannot be used: {reason}. Nothing was changed.";

    private sealed record CreationPolicy(bool CreateNew, string CreateOffReason, string? RepeatedOffReason, bool OutgoingCall);

    /// <summary>C3–C7, shared by calls (per line), new emails (E3), chats and forms (O1).</summary>
    private static void Route(Run run, RelatedEntities related, RoutingSettings settings, CreationPolicy policy, string what, string title, string? name)
    {
        var openLeads = related.Leads.Where(l => l.IsOpen).ToList();
        var openDeals = related.Deals.Where(d => d.IsOpen).ToList();
        if (openLeads.Count + openDeals.Count > 0)
        {
            LogAll(run, openLeads, openDeals, related, "C3");
            run.Step("C3", $"The {what} is logged to every related open lead and deal and to the related contacts and companies: {run.LoggedTitles()}.");
            return;
        }

        if (related.Contacts.Count + related.Companies.Count > 0)
        {
            LogAll(run, [], [], related, "C4");
            run.Step("C4", $"No related lead or deal is open, so the {what} is logged to the related contacts and companies: {run.LoggedTitles()}.");
        }
        else if (related.Leads.OrderByDescending(l => l.ClosedAt).FirstOrDefault() is { } lastClosed)
        {
            run.Log(CrmEntityType.Lead, new EntityLink(lastClosed.Id, null), lastClosed.Title, "C4");
            run.Step("C4", $"Only closed leads have this {run.CustomerKind} and no contact does, so the {what} is logged to the most recently closed lead, {lastClosed.Title}.");
        }
        else
        {
            CreateNew(run, settings, policy, what, title, name);
            return;
        }

        CreateRepeated(run, related, settings, policy, what, title);
    }

    private static void LogAll(Run run, IEnumerable<RelatedLead> leads, IEnumerable<RelatedDeal> deals, RelatedEntities related, string rule)
    {
        foreach (var lead in leads)
        {
            run.Log(CrmEntityType.Lead, new EntityLink(lead.Id, null), lead.Title, rule);
        }

        foreach (var deal in deals)
        {
            run.Log(CrmEntityType.Deal, new EntityLink(deal.Id, null), deal.Title, rule);
        }

        foreach (var contact in related.Contacts)
        {
            run.Log(CrmEntityType.Contact, new EntityLink(contact.Id, null), contact.Title, rule);
        }

        foreach (var company in related.Companies)
        {
            run.Log(CrmEntityType.Company, new EntityLink(company.Id, null), company.Title, rule);
        }
    }

    /// <summary>C5: nothing in the CRM has the number or address.</summary>
    private static void CreateNew(Run run, RoutingSettings settings, CreationPolicy policy, string what, string title, string? name)
    {
        var nothing = $"Nothing in the CRM has {run.Customer.Value}";
        if (run.Blocked)
        {
            run.Step("C5", $"{nothing}; because it is an exception (C2), nothing is created and the {what} is not logged.");
            return;
        }

        if (!policy.CreateNew)
        {
            run.Step("C5", $"{nothing}, and {policy.CreateOffReason}: nothing is created or logged.");
            return;
        }

        if (settings.Mode == CrmMode.Classic)
        {
            var lead = run.Plan(CrmEntityType.Lead, title, repeated: false, contact: null, "C5");
            run.Log(CrmEntityType.Lead, lead, title, "C5");
            run.Step("C5", $"{nothing}: in Classic mode a new open lead, {title}, is created with it and the {what} is logged to it.");
            return;
        }

        // With no name given, the contact is named by the address as people write it, as the titles are.
        var contactName = string.IsNullOrWhiteSpace(name) ? run.Customer.AsWritten : name.Trim();
        var contact = run.Plan(CrmEntityType.Contact, contactName, repeated: false, contact: null, "C5");
        var deal = run.Plan(CrmEntityType.Deal, title, repeated: false, contact: contact, "C5");
        run.Log(CrmEntityType.Deal, deal, title, "C5");
        run.Log(CrmEntityType.Contact, contact, contactName, "C5");
        run.Step("C5", $"{nothing}: in Simple mode a new contact, {contactName}, and an open deal, {title}, are created and the {what} is logged to both.");
    }

    /// <summary>C6 and, for outgoing calls, C7: a repeated lead or deal for a customer with nothing open.</summary>
    private static void CreateRepeated(Run run, RelatedEntities related, RoutingSettings settings, CreationPolicy policy, string what, string title)
    {
        var entity = settings.Mode == CrmMode.Classic ? "repeated lead" : "repeated deal";
        if (run.Blocked)
        {
            run.Step("C6", $"Nothing related is open, but no {entity} is created because {run.Customer.Value} is an exception (C2).");
            return;
        }

        if (policy.OutgoingCall && related.Leads.Where(l => l.Status == LeadStatus.Converted).OrderByDescending(l => l.ClosedAt).FirstOrDefault() is { } converted)
        {
            if (!converted.ConvertedToDeal)
            {
                run.Step("C7", $"The customer's most recent closed lead, {converted.Title}, was converted into a contact only, so an outgoing call creates no {entity}.");
                return;
            }

            run.Step("C7", $"The customer's most recent closed lead, {converted.Title}, was converted into a deal, so an outgoing call may create a {entity}.");
        }

        if (policy.RepeatedOffReason is { } off)
        {
            run.Step("C6", $"Nothing related is open and {off}, so no {entity} is created.");
            return;
        }

        var contactId = related.Contacts.FirstOrDefault()?.Id
                        ?? related.Deals.OrderByDescending(d => d.ClosedAt).FirstOrDefault(d => d.ContactId is not null)?.ContactId
                        ?? related.Leads.OrderByDescending(l => l.ClosedAt).FirstOrDefault(l => l.ContactId is not null)?.ContactId;
        var contact = contactId is { } id ? new EntityLink(id, null) : (EntityLink?)null;
        var repeatedTitle = "Repeated: " + title;
        var type = settings.Mode == CrmMode.Classic ? CrmEntityType.Lead : CrmEntityType.Deal;
        var planned = run.Plan(type, repeatedTitle, repeated: true, contact: contact, "C6");
        run.Log(type, planned, repeatedTitle, "C6");
        run.MarkRepeated();
        run.Step("C6", $"Nothing related is open and repeated leads are on in CRM settings{(policy.OutgoingCall || what == "incoming call" ? " and on the line" : "")}: " +
                       $"a {entity}, {repeatedTitle}, is created{(contact is null ? "" : " for the customer's contact")} and the {what} is logged to it.");
    }

    // A created lead's or deal's title is text for people, kept as written: an IDN address reads in Unicode
    // ("Email from kontakt@bücher.example"), in the lists, the pickers and the API alike; routing matches on the stored form.
    private static string ActivityTitle(RoutingChannel channel, ContactPoint customer) => channel switch
    {
        RoutingChannel.IncomingCall => $"Incoming call from {customer.AsWritten}",
        RoutingChannel.OutgoingCall => $"Outgoing call to {customer.AsWritten}",
        RoutingChannel.Chat => $"Chat from {customer.AsWritten}",
        RoutingChannel.Form => $"CRM form from {customer.AsWritten}",
        _ => $"Email from {customer.AsWritten}",
    };

    private static string CommentOf(MatchedException match) => match.Comment is { Length: > 0 } c ? $" (\"{c}\")" : "";

    private static string OnOff(bool on) => on ? "on" : "off";

    /// <summary>One decision being made: what it plans, where it logs, and the steps so far.</summary>
    private sealed class Run(RoutingChannel channel, ContactPoint customer)
    {
        private readonly List<PlannedEntity> planned = [];
        private readonly List<LogTarget> logged = [];
        private readonly List<RuleStep> steps = [];
        private MatchedException? match;
        private bool repeated;

        public ContactPoint Customer => customer;
        public bool Blocked => match is not null;
        public string CustomerKind => customer.Type == EntryType.Phone ? "number" : "address";

        public void Step(string rule, string explanation) => steps.Add(new RuleStep(rule, explanation));

        public void Block(MatchedException matched) => match = matched;

        public void MarkRepeated() => repeated = true;

        public EntityLink Plan(CrmEntityType type, string title, bool repeated, EntityLink? contact, string rule)
        {
            var key = planned.Count + 1;
            planned.Add(new PlannedEntity(key, type, title, repeated, contact, null, rule));
            return new EntityLink(null, key);
        }

        // An entity is logged once, under the first rule that logs it (a closed card C4 already logged stays under C4).
        public void Log(CrmEntityType type, EntityLink entity, string title, string rule)
        {
            if (!logged.Any(l => l.Type == type && l.Entity == entity))
            {
                logged.Add(new LogTarget(type, entity, title) { Rule = rule });
            }
        }

        public string LoggedTitles() => string.Join(", ", logged.Select(l => $"{l.Type.Noun()} {l.Title}"));

        public RoutingDecision Finish() =>
            new(channel, customer, Blocked, match, planned, logged, repeated, steps, Verdict());

        private string Verdict()
        {
            var saved = logged.Count == 0 ? "" : logged.Count == 1 ? $"logged to {logged[0].Type.Noun()} {logged[0].Title}" : $"logged to {logged.Count} entities";
            if (match is not null)
            {
                var blockedBy = $"Blocked by exception {match.Value}{(match.Comment is { Length: > 0 } c ? $" — \"{c}\"" : "")}";
                return channel == RoutingChannel.NewEmail ? blockedBy + ": not saved in the CRM"
                    : logged.Count == 0 ? blockedBy + ": nothing created or logged" : $"{blockedBy}: nothing created, {saved}";
            }

            if (planned.Count > 0)
            {
                var created = repeated
                    ? $"Repeated {planned[^1].Type.Noun()} created"
                    : planned.Any(p => p.Type == CrmEntityType.Deal) ? "New deal and contact created" : "New lead created";
                return logged.Count > planned.Count ? $"{created}; {saved}" : created;
            }

            return logged.Count == 0 ? "Nothing created or logged" : char.ToUpperInvariant(saved[0]) + saved[1..];
        }
    }
}
