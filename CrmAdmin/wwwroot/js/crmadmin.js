// Small browser helpers the Blazor components call through JS interop.
window.crmAdmin = {
  // The paste box is not bound to the circuit: a bound 2.5 MB value would exceed SignalR's
  // message limit. Its text goes to the server as a stream, in chunks, only on Import.
  textAsBytes: (element) => new TextEncoder().encode(element.value),

  setText: (element, text) => {
    element.value = text;
    element.dispatchEvent(new Event('input', { bubbles: true }));
    element.focus();
  },

  lineCount: (element) => element.value.trim() === '' ? 0 : element.value.split(/\r\n|\r|\n/).filter(l => l.trim() !== '').length,

  downloadFromStream: async (fileName, streamReference) => {
    const buffer = await streamReference.arrayBuffer();
    const url = URL.createObjectURL(new Blob([buffer], { type: 'text/csv' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    anchor.click();
    anchor.remove();
    URL.revokeObjectURL(url);
  },
};
