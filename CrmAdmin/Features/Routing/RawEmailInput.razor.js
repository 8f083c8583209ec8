// The simulator's raw-message box. Like the import's paste box it has no Blazor event handler: a
// pasted .eml can be far larger than one SignalR message, so its text goes to the server only when
// the person routes it, as a stream Blazor sends in chunks.

/** The box's text as UTF-8 bytes; returned to .NET as a stream reference. */
export function textAsBytes(box) {
  return new TextEncoder().encode(box.value);
}
