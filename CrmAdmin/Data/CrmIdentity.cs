using CrmAdmin.Domain.Access;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Data;

/// <summary>A person who signs in to CrmAdmin; the user name is the email address.</summary>
public sealed class CrmUser : IdentityUser
{
    public CrmUser()
    {
    }

    public CrmUser(string email) : base(email)
    {
        Email = email;
        EmailConfirmed = true;
        LockoutEnabled = true;
    }
}

/// <summary>A role with its level for the exception list ("CRM access permissions", P1, P2).</summary>
public sealed class CrmRole : IdentityRole
{
    public CrmRole()
    {
    }

    public CrmRole(string name, AccessLevel exceptions) : base(name) => Exceptions = exceptions;

    public AccessLevel Exceptions { get; set; }
}
