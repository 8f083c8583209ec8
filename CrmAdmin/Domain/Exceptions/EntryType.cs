namespace CrmAdmin.Domain.Exceptions;

/// <summary>What an exception entry matches (X1, X4, X8, X9).</summary>
public enum EntryType
{
    Phone,
    Email,
    /// <summary>A bare <c>@example.com</c>: every address at exactly that domain (X4).</summary>
    EmailDomain,
    /// <summary><c>@*.example.com</c>: every address at that domain and at any of its subdomains (X8).</summary>
    EmailDomainTree,
    /// <summary><c>+1900*</c>: every number that starts with those digits (X9).</summary>
    PhonePrefix,
}

/// <summary>Which of the CRM's entry points created an entry (X1, S1–S4).</summary>
public enum EntrySource
{
    Settings,
    EntityForm,
    Telephony,
    Api,
}

/// <summary>Whether an entry matches now (X10): the filter <c>status=active|expired</c>.</summary>
public enum EntryStatus
{
    Active,
    Expired,
}

/// <summary>What <see cref="EntryType"/> says about the kind of value an entry holds.</summary>
public static class EntryTypes
{
    /// <summary>A phone number or a number prefix: the value is matched on its digits (X5).</summary>
    public static bool IsPhoneLike(this EntryType type) => type is EntryType.Phone or EntryType.PhonePrefix;
}
