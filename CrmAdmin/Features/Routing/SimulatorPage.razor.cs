using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// The call and email simulator (§8): a dry run shows what routing would do and why; applying it
/// (Edit only, P3) creates and logs exactly that. The channel, number and card can come from the
/// address, so a lead's "Simulate a call from this card" opens it filled in.
/// </summary>
public partial class SimulatorPage
{
    private const int HistoryLength = 10;
    private static readonly RoutingChannel[] Channels = Enum.GetValues<RoutingChannel>();

    private sealed record LineOption(long Id, string Text);

    private sealed record Simulation(DateTime At, RoutingOutcome Outcome);

    private readonly List<Simulation> history = [];
    private Simulation? shown;
    private IReadOnlyList<LineOption> lines = [];
    private RoutingChannel channel = RoutingChannel.IncomingCall;
    private long? lineId, cardId;
    private CrmEntityType? cardType;
    private string? number, email, subject, messageId, inReplyTo, name, error;
    private bool dryRun = true, canApply, busy;

    [SupplyParameterFromQuery(Name = "channel")] private string? QueryChannel { get; set; }
    [SupplyParameterFromQuery(Name = "number")] private string? QueryNumber { get; set; }
    [SupplyParameterFromQuery(Name = "cardType")] private string? QueryCardType { get; set; }
    [SupplyParameterFromQuery(Name = "cardId")] private long? QueryCardId { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private bool IsCall => channel is RoutingChannel.IncomingCall or RoutingChannel.OutgoingCall;

    private bool IsEmail => channel is RoutingChannel.NewEmail or RoutingChannel.EmailReply;

    private int ChannelIndex => Array.IndexOf(Channels, channel);

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        lines = (await Settings.GetLinesAsync(user)).Select(l => new LineOption(l.Id, $"{l.Name} ({l.Number})")).ToList();
        lineId = lines.FirstOrDefault()?.Id;
        if (Enum.TryParse<RoutingChannel>(QueryChannel, out var fromQuery))
        {
            channel = fromQuery;
        }

        number = QueryNumber ?? number;
        if (Enum.TryParse<CrmEntityType>(QueryCardType, out var card) && QueryCardId is { } id)
        {
            (cardType, cardId) = (card, id);
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        canApply = await Authorizer.AllowsAsync((await AuthenticationState).User, Policies.EditExceptions);
        dryRun |= !canApply;
    }

    private void OnChannelChanged(int index) => channel = Channels[index];

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

    private async Task SimulateAsync()
    {
        if (busy)
        {
            return;
        }

        busy = true;
        error = null;
        try
        {
            var user = (await AuthenticationState).User;
            var outcome = channel switch
            {
                RoutingChannel.IncomingCall or RoutingChannel.OutgoingCall => await Routing.RouteCallAsync(new CallRequest(
                    lineId ?? throw new RoutingRequestException("Choose a telephony line; create one under Telephony if there is none."),
                    channel == RoutingChannel.IncomingCall ? CallDirection.Incoming : CallDirection.Outgoing, number ?? "",
                    channel == RoutingChannel.OutgoingCall && cardType is { } type && cardId is { } id ? new CardRequest(type, id) : null, dryRun), user),
                RoutingChannel.NewEmail or RoutingChannel.EmailReply => await Routing.RouteEmailAsync(new EmailRequest(email ?? "", messageId,
                    channel == RoutingChannel.EmailReply ? inReplyTo ?? throw new RoutingRequestException("A reply needs the Message-ID it replies to (In-Reply-To).") : null,
                    subject, dryRun), user),
                _ => await Routing.RouteChatOrFormAsync(channel, new ChatOrFormRequest(number, email, name, dryRun), user),
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
}
