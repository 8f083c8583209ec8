namespace CrmAdmin.Domain.Exceptions;

/// <summary>What an exception entry matches (X1, X4).</summary>
public enum EntryType
{
    Phone,
    Email,
    /// <summary>A bare <c>@example.com</c>: every address at exactly that domain (X4).</summary>
    EmailDomain,
}

/// <summary>Which of the CRM's entry points created an entry (X1, S1–S4).</summary>
public enum EntrySource
{
    Settings,
    EntityForm,
    Telephony,
    Api,
}
