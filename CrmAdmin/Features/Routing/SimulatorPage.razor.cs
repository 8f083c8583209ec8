using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// The call and email simulator (§8): a dry run shows what routing would do and why; applying it
/// (Edit only, P3) creates and logs exactly that. Each channel tab keeps its own inputs; the card a
/// call starts from and the saved message a reply answers are picked by name, not typed as ids. The
/// channel, number and card can come from the address, so a lead's "Simulate a call from this card"
/// opens it filled in.
/// </summary>
public partial class SimulatorPage
{
    private const int HistoryLength = 10;
    private static readonly RoutingChannel[] Channels = Enum.GetValues<RoutingChannel>();

    private sealed record LineOption(long Id, string Text);

    private sealed record Simulation(DateTime At, RoutingOutcome Outcome);

    /// <summary>What one channel's tab holds; switching tabs keeps each channel's own.</summary>
    private sealed class ChannelInputs
    {
        public long? LineId { get; set; }
        public string? Number { get; set; }
        public string? Email { get; set; }
        public string? Subject { get; set; }
        public string? MessageId { get; set; }
        public string? Name { get; set; }
        public CrmEntityType? CardType { get; set; }
        public EntityOption? Card { get; set; }
        public SavedMessage? Reply { get; set; }

        /// <summary>Why the card or the replied-to message cannot be used, shown under its picker.</summary>
        public string? FieldError { get; set; }
    }

    private readonly Dictionary<RoutingChannel, ChannelInputs> inputs = Channels.ToDictionary(c => c, _ => new ChannelInputs());
    private readonly List<Simulation> history = [];
    private Simulation? shown;
    private IReadOnlyList<LineOption> lines = [];
    private RoutingChannel channel = RoutingChannel.IncomingCall;
    private string? error;
    private bool dryRun = true, canApply, busy;

    [SupplyParameterFromQuery(Name = "channel")] private string? QueryChannel { get; set; }
    [SupplyParameterFromQuery(Name = "number")] private string? QueryNumber { get; set; }
    [SupplyParameterFromQuery(Name = "cardType")] private string? QueryCardType { get; set; }
    [SupplyParameterFromQuery(Name = "cardId")] private long? QueryCardId { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private ChannelInputs Current => inputs[channel];

    private bool IsCall => channel is RoutingChannel.IncomingCall or RoutingChannel.OutgoingCall;

    private bool IsEmail => channel is RoutingChannel.NewEmail or RoutingChannel.EmailReply;

    private int ChannelIndex => Array.IndexOf(Channels, channel);

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        lines = (await Settings.GetLinesAsync(user)).Select(l => new LineOption(l.Id, $"{l.Name} ({l.Number})")).ToList();
        foreach (var call in new[] { RoutingChannel.IncomingCall, RoutingChannel.OutgoingCall })
        {
            inputs[call].LineId = lines.FirstOrDefault()?.Id;
        }

        if (Enum.TryParse<RoutingChannel>(QueryChannel, out var fromQuery))
        {
            channel = fromQuery;
        }

        Current.Number = QueryNumber ?? Current.Number;
        if (channel == RoutingChannel.OutgoingCall && Enum.TryParse<CrmEntityType>(QueryCardType, out var card) && Enum.IsDefined(card) && QueryCardId is { } id)
        {
            // The card shows by its title; one that is gone (recycled meanwhile) leaves the picker empty with the reason under it.
            var entity = await Entities.GetAsync(card, id, user);
            (Current.CardType, Current.Card) = (card, entity is null ? null : new EntityOption(card, entity.Id, entity.Title));
            Current.FieldError = entity is null ? $"The {card.Noun()} this call was started from no longer exists: choose another card." : null;
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        canApply = await Authorizer.AllowsAsync((await AuthenticationState).User, Policies.EditExceptions);
        dryRun |= !canApply;
    }

    // Another channel's verdict or error under this channel's form would read as this one's; the history keeps them.
    private void OnChannelChanged(int index) => (channel, error, shown) = (Channels[index], null, null);

    /// <summary>Shows an outcome and keeps it in the recent simulations (a form run, or a raw message's).</summary>
    private void Show(RoutingOutcome outcome)
    {
        error = null;
        shown = new Simulation(DateTime.UtcNow, outcome);
        history.Insert(0, shown);
        if (history.Count > HistoryLength)
        {
            history.RemoveAt(history.Count - 1);
        }
    }

    /// <summary>An error replaces what was shown: never an old verdict under a new error.</summary>
    private void ShowError(string message) => (error, shown) = (message, null);

    private void OnCardTypeChanged(CrmEntityType? type)
    {
        if (type != Current.CardType)
        {
            (Current.CardType, Current.Card, Current.FieldError) = (type, null, null);
        }
    }

    private void OnReplyChosen(SavedMessage? message)
    {
        (Current.Reply, Current.FieldError) = (message, null);
        // A reply usually comes from the address the saved message was exchanged with, filled as a person writes it
        // (an IDN domain in Unicode); routing normalizes it back to the stored form it matches on.
        if (message is not null && string.IsNullOrWhiteSpace(Current.Email))
        {
            Current.Email = Labels.ForPeople(message.From);
        }
    }

    private async Task<IReadOnlyList<EntityOption>> SearchCardsAsync(CrmEntityType type, string? text, int take, CancellationToken ct) =>
        await Entities.SearchAsync(type, text, take, (await AuthenticationState).User, ct);

    private async Task<IReadOnlyList<SavedMessage>> SearchMessagesAsync(string? text, int take, CancellationToken ct) =>
        await Routing.SearchSavedMessagesAsync(text, take, (await AuthenticationState).User, ct);

    private async Task SimulateAsync()
    {
        if (busy)
        {
            return;
        }

        // A new run replaces what was shown: never an old verdict under a new error, nor an old error over a new verdict.
        (busy, error, shown) = (true, null, null);
        var current = Current;
        try
        {
            var user = (await AuthenticationState).User;
            var outcome = channel switch
            {
                RoutingChannel.IncomingCall or RoutingChannel.OutgoingCall => await Routing.RouteCallAsync(new CallRequest(
                    current.LineId ?? throw new RoutingRequestException("Choose a telephony line; create one under Telephony if there is none."),
                    channel == RoutingChannel.IncomingCall ? CallDirection.Incoming : CallDirection.Outgoing, current.Number ?? "", CardOf(current), dryRun), user),
                RoutingChannel.NewEmail or RoutingChannel.EmailReply => await Routing.RouteEmailAsync(new EmailRequest(current.Email ?? "", current.MessageId,
                    channel == RoutingChannel.EmailReply ? ReplyOf(current) : null, current.Subject, dryRun), user),
                _ => await Routing.RouteChatOrFormAsync(channel, new ChatOrFormRequest(current.Number, current.Email, current.Name, dryRun), user),
            };
            Show(outcome);
        }
        catch (RequestRefusedException e)
        {
            error = e.Message;
        }
        finally
        {
            busy = false;
        }
    }

    // C8: a card type with no card chosen is a field error, not a call from no card.
    private CardRequest? CardOf(ChannelInputs current)
    {
        if (channel != RoutingChannel.OutgoingCall || current.CardType is not { } type)
        {
            return null;
        }

        if (current.Card is not { } card)
        {
            current.FieldError = $"Choose the {type.Noun()} whose card the call was started from, or clear \"Started from the card of\".";
            throw new RoutingRequestException(current.FieldError);
        }

        return new CardRequest(type, card.Id);
    }

    private static string ReplyOf(ChannelInputs current)
    {
        if (current.Reply is not { } reply)
        {
            current.FieldError = "Choose the saved message this email replies to.";
            throw new RoutingRequestException(current.FieldError);
        }

        return reply.MessageId;
    }
}
