// The Users page's Copy button. The clipboard needs a user gesture and a secure context; where the
// browser refuses, the password is selected instead so Ctrl+C copies it. No inline script: the CSP
// allows only the app's own files (script-src 'self').

/** Copies the element's text; answers false (having selected the text) if the browser refused. */
export async function copyText(element) {
  const text = element.textContent.trim();
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return false;
  }
}
