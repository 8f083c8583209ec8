// Small browser helpers the Blazor components call through JS interop.
window.crmAdmin = {
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
  // A file the server serves on a GET (the full import report): the browser downloads it itself, so a
  // large report never passes through the circuit.
  downloadFromUrl: (fileName, url) => {
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    anchor.click();
    anchor.remove();
  },
};
