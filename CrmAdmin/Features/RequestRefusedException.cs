namespace CrmAdmin.Features;

/// <summary>
/// A request a service cannot carry out as asked, with a reason for the person: an unknown entity, an
/// invalid number, the last administrator. The API answers it 400 with a problem document, pages show it.
/// </summary>
public abstract class RequestRefusedException(string message) : Exception(message);
