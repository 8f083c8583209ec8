// The paste box of "Add to list". It carries no Blazor event handler at all: any handler would
// send the box's whole value (megabytes for a 100k-line paste) in one SignalR message, past the
// 32 KB limit, and drop the circuit. Its text reaches the server only on Import, as a stream that
// Blazor sends in chunks; the keyboard shortcut lives here and sends nothing but "import now".

const shortcuts = new WeakMap();

/** Ctrl+Enter (⌘+Enter on a Mac) in the box asks the component to import, without sending the text. */
export function attach(box, component) {
  const onKeyDown = (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      component.invokeMethodAsync('ImportFromShortcutAsync');
    }
  };
  box.addEventListener('keydown', onKeyDown);
  shortcuts.set(box, onKeyDown);
  // Announced to assistive technology only once it works.
  box.setAttribute('aria-keyshortcuts', 'Control+Enter Meta+Enter');
}

export function detach(box) {
  const onKeyDown = shortcuts.get(box);
  if (onKeyDown) {
    box.removeEventListener('keydown', onKeyDown);
    shortcuts.delete(box);
    box.removeAttribute('aria-keyshortcuts');
  }
}

/** How many non-blank lines the box holds: the import's "of M lines" before the text is sent. */
export function lineCount(box) {
  let count = 0;
  for (const line of box.value.split(/\r\n|\r|\n/)) {
    if (line.trim() !== '') count++;
  }
  return count;
}

/** The box's text as UTF-8 bytes; returned to .NET as a stream reference, which Blazor reads in chunks. */
export function textAsBytes(box) {
  return new TextEncoder().encode(box.value);
}

/** Replaces the box's text (after an import, or "keep only the lines to fix") and puts the caret in it. */
export function setText(box, text) {
  box.value = text;
  box.focus();
}
